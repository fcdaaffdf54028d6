/**
 * Installs the Debian packages the tests use as real peers, when they are missing, so that
 * `deno task test` works on a fresh Debian/Ubuntu machine. Runs before every test run; when
 * everything is present it costs one `dpkg-query`.
 */
import { ensurePackages, type PackageTable } from "../../scripts/debian_packages.ts";
import { RUNTIME_PACKAGES } from "../../scripts/install_runtime_packages.ts";

/** Package → why the tests need it (the runtime packages come first: the tests start the daemon). */
const PACKAGES: PackageTable = {
  ...RUNTIME_PACKAGES,
  "tshark": "independent oracle for decoding, per-flow bytes and Community ID",
  "tcpdump": "benchmark peer; the parallel capture recordings are compared with",
  "iputils-ping": "ping as a real traffic source in the PCAP recording tests",
  "netcat-openbsd": "nc as a real UDP sender and listener in the PCAP recording tests",
  "softflowd": "pcap → NetFlow v5/v9/IPFIX: the exporter in collector tests, and a benchmark peer",
  "nfdump": "nfcapd/nfdump: the reference collector the NetFlow tests and bench compare Flintnet with",
  "pmacct": "pmacctd's nfprobe: IPFIX records that say their direction, as a router with NetFlow both ways",
  "openvswitch-switch":
    "Open vSwitch: a real switch between namespaces sending sFlow with each port's counters",
  "tcpreplay": "pushes captures through veth pairs for live benchmarks",
  "netsniff-ng":
    "trafgen: a sender with a TX ring, for the capture ring's resize test and the live benchmarks",
  "hping3": "bounded SYN floods and low-TTL datagrams between namespaces for the attack-signal test",
  "iproute2": "network namespaces and veth pairs as test hosts; ss names the PID behind a port",
  "util-linux": "unshare: a read-only state directory in a mount namespace of the daemon's own",
  "python3-scapy": "crafted packets from inside network namespaces",
  "openssl": "a self-signed certificate for the HTTPS test",
  "wrk": "HTTP load for the /flows latency benchmark",
  "curl": "the README's examples, tried as a user would",
  "snmpd": "real SNMP agents (Net-SNMP) on loopback and in network namespaces",
  "snmp": "snmptrap/snmpinform for traps; snmpbulkwalk as the benchmark reference",
  "snmpsim": "snmpsimd serving .snmprec data modelled on real products",
  "python3-aiosmtpd": "a real SMTP server with STARTTLS for e-mail alerts",
  "nmap": "real port scans (-sS) and host sweeps (-sn) between namespaces for the scan advisories",
  "inetutils-telnet": "a real telnet client for the insecure-protocol advisory",
  "tnftp": "a real FTP client for the insecure-protocol advisory",
  "dnsmasq-base": "a real DNS server in namespaces: names on flows (dig asks it) and the DNS-volume advisory",
  "dnsutils": "dig: DNS queries over UDP and TCP for the names-on-flows and DNS-volume tests",
  "lldpd":
    "LLDP and CDP neighbours in network namespaces: LLDP-MIB through snmpd's AgentX, frames to capture",
  "nftables": "random segment loss in a namespace for the TCP health test (the kernel has no sch_netem)",
  "ethtool": "turns segmentation offload off on a veth, so a ClientHello really spans two segments",
  "chromium": "a real browser for the dashboard's end-to-end tests (driven by npm:playwright-core)",
  // Production (issue 14):
  "systemd": "systemd-analyze: the unit's security score, verify, and the system call groups of its filter",
  "strace": "traces the system calls a running Flintnet makes, checked against the unit's filter",
  "docker-compose": "docker-compose config: validates compose.yaml (the only Compose CLI Debian packages)",
  "clickhouse-server": "the ClickHouse the sink writes flows and events to, read back with SQL",
  "influxdb": "the InfluxDB 1.x the sink writes line protocol to, read back with InfluxQL",
  "prometheus": "scrapes /metrics with the API token as a bearer credential",
};

Deno.exit(await ensurePackages(PACKAGES, "the tests"));
