/**
 * The Dockerfile and compose.yaml, checked as far as this machine can (it runs no container engine):
 * the Dockerfile through dockerfile-utils' validator (the checks of the Docker language server; hadolint
 * is not packaged for Debian) and the rules Flintnet's image promises; compose.yaml through
 * `docker-compose config` (Debian's Compose CLI, which validates the file against the Compose schema)
 * and, parsed, the layout the docs promise: the agent alone by default, the sinks behind a profile.
 */
import assert from "node:assert/strict";
import { validate } from "dockerfile-utils";
import { parse } from "yaml";

const CI = Deno.env.get("CI") === "true";
const REPO = decodeURIComponent(new URL("../", import.meta.url).pathname);
const COMPOSE_CLI = "/usr/bin/docker-compose";
const noCompose = await Deno.stat(COMPOSE_CLI).then(
  () => null,
  () => "docker-compose is missing: apt-get install docker-compose",
);

/** The Dockerfile's stages: FROM line and the instructions after it. */
function stages(text: string): { from: string; lines: string[] }[] {
  const joined = text.replace(/\\\n/g, " ").split("\n").filter((l) => l.trim() && !l.trim().startsWith("#"));
  const out: { from: string; lines: string[] }[] = [];
  for (const l of joined) {
    if (/^FROM\s/i.test(l)) out.push({ from: l, lines: [] });
    else out.at(-1)?.lines.push(l);
  }
  return out;
}

Deno.test("the Dockerfile passes dockerfile-utils' validator, which does find a broken one", async () => {
  const text = await Deno.readTextFile(`${REPO}Dockerfile`);
  assert.deepEqual(validate(text).map((d) => `${d.range.start.line + 1}: ${d.message}`), []);
  assert.ok(
    validate("FROM\nEXPOSE port\n").length >= 2,
    "the validator reports a FROM without an image and a bad port",
  );
});

Deno.test("the Dockerfile compiles in one stage and runs as a non-root user with only capture's capabilities", async () => {
  const [build, runtime, ...more] = stages(await Deno.readTextFile(`${REPO}Dockerfile`));
  assert.equal(more.length, 0, "two stages");
  assert.match(build.from, /^FROM debian:bookworm-slim AS build$/);
  assert.ok(build.lines.some((l) => /deno task compile/.test(l)));
  assert.match(runtime.from, /^FROM debian:bookworm-slim$/, "a pinned slim base, no :latest");
  const run = runtime.lines.filter((l) => l.startsWith("RUN")).join(" ");
  for (const pkg of ["libpcap0.8", "ieee-data"]) assert.ok(run.includes(pkg), pkg);
  assert.match(run, /--no-install-recommends/);
  assert.match(run, /rm -rf \/var\/lib\/apt\/lists/);
  assert.match(run, /setcap cap_net_raw,cap_net_bind_service=ep \/usr\/local\/bin\/flintnet/);
  const user = runtime.lines.filter((l) => l.startsWith("USER")).at(-1);
  assert.equal(user, "USER flintnet", "the last USER is not root");
  assert.ok(runtime.lines.some((l) => /^COPY --from=build \/src\/dist\/flintnet /.test(l)));
  assert.ok(runtime.lines.some((l) => /^ENTRYPOINT \["\/usr\/local\/bin\/flintnet"\]$/.test(l)));
});

Deno.test({
  name:
    "compose.yaml is valid for docker-compose; the agent runs alone by default, the sinks in the central profile",
  ignore: noCompose !== null && !CI,
  async fn() {
    if (noCompose) throw new Error(noCompose);
    const check = await new Deno.Command(COMPOSE_CLI, {
      args: ["-f", "compose.yaml", "config", "-q"],
      cwd: REPO,
    }).output();
    assert.ok(check.success, new TextDecoder().decode(check.stderr));
    const doc = parse(await Deno.readTextFile(`${REPO}compose.yaml`));
    const services = doc.services as Record<string, Record<string, unknown>>;
    const byDefault = Object.keys(services).filter((s) => services[s].profiles === undefined);
    assert.deepEqual(byDefault, ["flintnet"]);
    const central = Object.keys(services).filter((s) =>
      (services[s].profiles as string[] | undefined)?.includes("central")
    );
    assert.deepEqual(central.sort(), ["clickhouse", "influxdb", "prometheus"]);
    const agent = services.flintnet;
    assert.equal(agent.network_mode, "host");
    assert.deepEqual(agent.cap_drop, ["ALL"]);
    assert.deepEqual(agent.cap_add, ["NET_RAW", "NET_BIND_SERVICE"]);
    assert.equal(agent.privileged, undefined);
    assert.deepEqual(agent.volumes, ["flintnet-state:/var/lib/flintnet"]);
    // Every FLINTNET_ variable Compose passes is a setting Flintnet knows.
    const help = new TextDecoder().decode(
      (await new Deno.Command(Deno.execPath(), { args: ["run", "-A", `${REPO}main.ts`, "--help"] }).output())
        .stdout,
    );
    for (const name of Object.keys(agent.environment as Record<string, string>)) {
      assert.ok(help.includes(`  ${name} `), `${name} is a setting`);
    }
    const prom = parse(await Deno.readTextFile(`${REPO}deploy/prometheus.yml`));
    assert.equal(prom.scrape_configs[0].authorization.type, "Bearer");
  },
});
