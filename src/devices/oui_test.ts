import assert from "node:assert/strict";
import { OuiRegistry } from "./oui.ts";
import { OuiSearch } from "./oui_search.ts";
import { seededRng } from "../../tests/helpers/seeded_rng.ts";

const IEEE_DIR = "/usr/share/ieee-data";
const CI = Deno.env.get("CI") === "true";
const haveIeeeData = (() => {
  try {
    return Deno.statSync(`${IEEE_DIR}/oui.csv`).isFile && Deno.statSync("/usr/bin/python3").isFile;
  } catch {
    return false;
  }
})();
// With CI=true a missing ieee-data (or python3 to read it independently) fails instead of skipping.
const ignoreReal = !haveIeeeData && !CI;

/** The registries as Python's csv module reads them: an independent reader of the same files. */
async function pythonAssignments(): Promise<{ bits: number; prefix: string; org: string }[]> {
  const script = `
import csv, json, sys
out = []
for name, bits in (("oui36.csv", 36), ("iab.csv", 36), ("mam.csv", 28), ("oui.csv", 24)):
    with open(sys.argv[1] + "/" + name, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))[1:]
    for r in rows:
        if len(r) >= 3:
            out.append({"bits": bits, "prefix": r[1], "org": r[2].strip()})
print(json.dumps(out))
`;
  const res = await new Deno.Command("/usr/bin/python3", { args: ["-c", script, IEEE_DIR] }).output();
  assert.equal(res.code, 0, new TextDecoder().decode(res.stderr));
  return JSON.parse(new TextDecoder().decode(res.stdout));
}

/** Seeded, so a failing address is the same on the next run. */
const rng = seededRng(0x0111_eeee);

function randomHex(digits: number): string {
  let s = "";
  for (let i = 0; i < digits; i++) s += "0123456789abcdef"[rng() % 16];
  return s;
}

function colons(hex12: string): string {
  return hex12.match(/../g)!.join(":");
}

Deno.test({
  name: "OuiRegistry.vendor() names the owner of a block read from ieee-data's oui.csv by grep",
  ignore: ignoreReal,
  async fn() {
    const reg = await OuiRegistry.load(IEEE_DIR);
    assert.equal(reg.missing, false);
    // A line taken straight from the file, with its own (possibly quoted) organisation field.
    const grep = await new Deno.Command("grep", { args: ["-m1", "^MA-L,00000C,", `${IEEE_DIR}/oui.csv`] })
      .output();
    const line = new TextDecoder().decode(grep.stdout).trim();
    assert.match(line, /^MA-L,00000C,/);
    // The organisation is the third field, quoted in the file when it holds a comma.
    const field = /^MA-L,00000C,(?:"((?:[^"]|"")*)"|([^,]*)),/.exec(line)!;
    const org = (field[1]?.replaceAll('""', '"') ?? field[2]).trim();
    assert.equal(reg.vendor("00:00:0c:12:34:56"), org);
    assert.equal(reg.vendor("00-00-0C-FF-FF-FF"), org);
    assert.equal(reg.vendor("0000.0cab.cdef"), org);
  },
});

/** Python's reading of the registries: the blocks by size, and the owner of an address (12 hex digits). */
async function pythonOwners() {
  const rows = await pythonAssignments();
  // First listing of a prefix stands (the IEEE lists a few legacy MA-L prefixes twice).
  const byBits = new Map<number, Map<string, string>>([[36, new Map()], [28, new Map()], [24, new Map()]]);
  for (const r of rows) {
    const m = byBits.get(r.bits)!;
    const key = r.prefix.toLowerCase();
    if (!m.has(key)) m.set(key, r.org);
  }
  const expected = (hex12: string) =>
    byBits.get(36)!.get(hex12.slice(0, 9)) ?? byBits.get(28)!.get(hex12.slice(0, 7)) ??
      byBits.get(24)!.get(hex12.slice(0, 6)) ?? null;
  return { rows, byBits, expected };
}

/**
 * Checks `vendor` against Python's reading: `perSize` addresses inside listed blocks of each size (random host
 * parts) and `random` entirely random addresses (mostly unlisted, which must be null).
 */
function agreesWithPython(
  vendor: (mac: string) => string | null,
  owners: Awaited<ReturnType<typeof pythonOwners>>,
  perSize: number,
  random: number,
): void {
  for (const [bits, map] of owners.byBits) {
    const prefixes = [...map.keys()];
    for (let i = 0; i < perSize; i++) {
      const p = prefixes[rng() % prefixes.length];
      const mac = colons(p + randomHex(12 - bits / 4));
      assert.equal(vendor(mac), owners.expected(mac.replaceAll(":", "")), `${mac} (${bits}-bit block ${p})`);
    }
  }
  let listed = 0;
  for (let i = 0; i < random; i++) {
    const hex = randomHex(12);
    const want = owners.expected(hex);
    if (want !== null) listed++;
    assert.equal(vendor(colons(hex).toUpperCase()), want, hex);
  }
  assert.ok(listed < random);
}

Deno.test({
  name: "OuiRegistry.vendor() agrees with Python's csv reader on every registry, longest prefix first",
  ignore: ignoreReal,
  async fn() {
    const reg = await OuiRegistry.load(IEEE_DIR);
    const owners = await pythonOwners();
    assert.equal(reg.counts.mas, owners.byBits.get(36)!.size);
    assert.equal(reg.counts.mam, owners.byBits.get(28)!.size);
    assert.equal(reg.counts.mal, owners.byBits.get(24)!.size);
    agreesWithPython((mac) => reg.vendor(mac), owners, 300, 2000);
  },
});

Deno.test({
  name:
    "OuiSearch.vendor() agrees with Python's csv reader searching the files, and after it parsed them whole",
  ignore: ignoreReal,
  async fn() {
    const owners = await pythonOwners();
    // every answer searched for
    const searching = new OuiSearch(IEEE_DIR, { searches: Infinity });
    agreesWithPython((mac) => searching.vendor(mac), owners, 60, 200);
    // the default: 32 searched, then the whole registry parsed
    const mixed = new OuiSearch(IEEE_DIR);
    agreesWithPython((mac) => mixed.vendor(mac), owners, 60, 200);
    // an MA-S block inside an MA-L block names the MA-S owner, searched as parsed
    const mal = owners.byBits.get(24)!;
    const nested = owners.rows.find((r) => r.bits === 36 && mal.has(r.prefix.slice(0, 6).toLowerCase()))!;
    assert.equal(new OuiSearch(IEEE_DIR).vendor(colons(nested.prefix.toLowerCase() + "abc")), nested.org);
    assert.equal(new OuiSearch(`${IEEE_DIR}/none`).vendor("00:00:0c:12:34:56"), null);
  },
});

Deno.test({
  name: "OuiRegistry.vendor() prefers an MA-S block over the MA-L block around it",
  ignore: ignoreReal,
  async fn() {
    const reg = await OuiRegistry.load(IEEE_DIR);
    const rows = await pythonAssignments();
    const mal = new Map(rows.filter((r) => r.bits === 24).map((r) => [r.prefix.toLowerCase(), r.org]));
    const nested = rows.find((r) => r.bits === 36 && mal.has(r.prefix.slice(0, 6).toLowerCase()))!;
    assert.ok(nested, "ieee-data has MA-S blocks inside IEEE-held MA-L blocks");
    const inside = colons(nested.prefix.toLowerCase() + "abc");
    assert.equal(reg.vendor(inside), nested.org);
    assert.notEqual(nested.org, mal.get(nested.prefix.slice(0, 6).toLowerCase()));
  },
});

Deno.test("OuiRegistry.load() of a missing directory is an empty registry flagged missing", async () => {
  const reg = await OuiRegistry.load("/nonexistent/ieee-data");
  assert.equal(reg.missing, true);
  assert.equal(reg.size, 0);
  assert.equal(reg.vendor("00:00:0c:00:00:01"), null);
});

Deno.test("OuiRegistry.fromFiles() reads quoted fields, doubled quotes, line breaks and CRLF", () => {
  const enc = new TextEncoder();
  const oui = "Registry,Assignment,Organization Name,Organization Address\r\n" +
    'MA-L,00AABB,"Quote ""Q"" Corp, Ltd.","1 Road\r\nTown"\r\n' +
    "\r\n" +
    "MA-L,00AABC,  Spacey Inc  ,Street\n" +
    "MA-M,00AABD1,Wrong Registry,here\r\n" +
    "MA-L,00AAB,Too Short,here\r\n" +
    "MA-L,00AABB,Listed Twice,again\r\n";
  const mam = "Registry,Assignment,Organization Name,Organization Address\n" +
    "MA-M,00AABB7,Medium Block,x\n";
  const reg = OuiRegistry.fromFiles({ "oui.csv": enc.encode(oui), "mam.csv": enc.encode(mam) });
  assert.deepEqual(reg.counts, { mal: 2, mam: 1, mas: 0, skipped: 2 });
  assert.equal(reg.vendor("00:aa:bb:01:02:03"), 'Quote "Q" Corp, Ltd.');
  assert.equal(reg.vendor("00:aa:bb:70:00:00"), "Medium Block");
  assert.equal(reg.vendor("00:aa:bb:7f:ff:ff"), "Medium Block");
  assert.equal(reg.vendor("00:aa:bb:80:00:00"), 'Quote "Q" Corp, Ltd.');
  assert.equal(reg.vendor("00:aa:bc:00:00:00"), "Spacey Inc");
  assert.equal(reg.vendor("00:aa:bd:10:00:00"), null);
  assert.equal(reg.vendor("not a mac"), null);
});

Deno.test("OuiRegistry.lazy() says at once whether registries are there, and reads them at the first lookup", async () => {
  const dir = await Deno.makeTempDir({ prefix: "flintnet-oui-lazy-" });
  try {
    const empty = await OuiRegistry.lazy(`${dir}/none`);
    assert.equal(empty.missing, true);
    assert.equal(empty.lookup.vendor("00:00:0c:01:02:03"), null);
    const header = "Registry,Assignment,Organization Name,Organization Address\n";
    await Deno.writeTextFile(`${dir}/oui.csv`, header + "MA-L,00000C,First Name,somewhere\n");
    const lazy = await OuiRegistry.lazy(dir);
    assert.equal(lazy.missing, false);
    // Changed after lazy() returned: the lookup reads the file as it is at the first call.
    await Deno.writeTextFile(`${dir}/oui.csv`, header + "MA-L,00000C,Cisco Systems,somewhere\n");
    assert.equal(lazy.lookup.vendor("00:00:0c:01:02:03"), "Cisco Systems");
    assert.equal(lazy.lookup.vendor("00:00:0d:01:02:03"), null);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
