/**
 * Installs the Debian packages the tests use as real peers, when they are missing, so that
 * `deno task test` works on a fresh Debian/Ubuntu machine. Runs before every test run; when
 * everything is present it costs one `dpkg-query`.
 */

/** Package → why the tests need it. */
const PACKAGES: Record<string, string> = {
  "libpcap0.8": "BPF filter compilation through FFI (runtime dependency too)",
  "tshark": "independent oracle for decoding, per-flow bytes and Community ID",
  "tcpdump": "benchmark peer",
  "softflowd": "benchmark peer (pcap → NetFlow)",
  "tcpreplay": "pushes captures through veth pairs for live benchmarks",
  "iproute2": "network namespaces and veth pairs as test hosts",
  "python3-scapy": "crafted packets from inside network namespaces",
  "openssl": "a self-signed certificate for the HTTPS test",
  "wrk": "HTTP load for the /flows latency benchmark",
  "curl": "the README's examples, tried as a user would",
  "snmpd": "real SNMP agents (Net-SNMP) on loopback and in network namespaces",
  "snmp": "snmptrap/snmpinform for traps; snmpbulkwalk as the benchmark reference",
  "snmpsim": "snmpsimd serving .snmprec data modelled on real products",
  "python3-aiosmtpd": "a real SMTP server with STARTTLS for e-mail alerts",
  "ieee-data": "the IEEE OUI registry: MAC vendor lookup (runtime dependency too)",
  "chromium": "a real browser for the dashboard's end-to-end tests (driven by npm:playwright-core)",
};

async function run(cmd: string[], quiet = false): Promise<{ code: number; stdout: string }> {
  const out = await new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    stdout: "piped",
    stderr: quiet ? "piped" : "inherit",
    env: { DEBIAN_FRONTEND: "noninteractive" },
  }).output();
  return { code: out.code, stdout: new TextDecoder().decode(out.stdout) };
}

const names = Object.keys(PACKAGES);
const query = await run(["dpkg-query", "-W", "-f=${Package} ${db:Status-Status}\\n", ...names], true);
const installed = new Set(
  query.stdout.split("\n").filter((l) => l.endsWith(" installed")).map((l) => l.split(" ")[0]),
);
const missing = names.filter((n) => !installed.has(n));
if (missing.length === 0) Deno.exit(0);

console.error(`installing test peers: ${missing.map((m) => `${m} (${PACKAGES[m]})`).join(", ")}`);
if (Deno.uid() !== 0) {
  console.error(`not root: run  sudo apt-get install -y ${missing.join(" ")}  and try again`);
  Deno.exit(1);
}
if ((await run(["apt-get", "update", "-qq"])).code !== 0) Deno.exit(1);
const install = await run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", ...missing]);
Deno.exit(install.code);
