/**
 * Names on flows from real tools between two network namespaces: dig against dnsmasq (UDP and TCP, A,
 * AAAA, CNAME), curl against Python's http.server (HTTP Host), `openssl s_client -servername` against
 * `openssl s_server` (SNI; once with the server's MSS lowered so the ClientHello spans two segments).
 * The capture tcpdump wrote is replayed with `flintnet replay` and read by tshark; Flintnet's names must be
 * tshark's (`dns.qry.name`, `dns.a`/`dns.aaaa`/`dns.cname`/`dns.resp.ttl`, `tls.handshake.extensions_server_name`,
 * `http.host`).
 */
import assert from "node:assert/strict";
import { netnsUnavailable } from "./helpers/netns.ts";
import { runFlintnet } from "./helpers/flintnet_cli.ts";
import { type Daemon, startDaemon } from "./helpers/daemon.ts";
import { freePort } from "./helpers/ports.ts";
import { LAB, tsharkFields, VisibilityLab, ZONE } from "./helpers/visibility_lab.ts";

const skip = await netnsUnavailable();
if (skip && Deno.env.get("CI") === "true") throw new Error(`CI=true and ${skip}`);

interface FlowOut {
  src_ip: string;
  dst_ip: string;
  src_port: number;
  dst_port: number;
  protocol: number;
  server_name: string | null;
  name_source: string | null;
}
interface DnsEntry {
  name: string;
  type: string;
  rcode: string | null;
  answers: { type: string; data: string; ttl: number }[];
}

/** RFC 1035 §4.1.1 response codes by number, as tshark prints them with -n. */
const RCODES: Record<string, string> = { "0": "NOERROR", "2": "SERVFAIL", "3": "NXDOMAIN", "5": "REFUSED" };
const TOKEN = "visibility-token-0123456789abcdef";
const PORT = freePort();
const SNI = "sni.flintnet.test", SPLIT_SNI = "split-hello.flintnet.test", HOST = "www.flintnet.test";

Deno.test({
  name:
    "names on flows from dig, curl and openssl between namespaces agree with tshark's view of the capture",
  ignore: skip !== null,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const lab = new VisibilityLab();
    const dir = await Deno.makeTempDir({ prefix: "fvi-names-" });
    const pcap = `${dir}/names.pcap`;
    try {
      await lab.start();
      const rec = await lab.record(pcap);
      const dig = (...a: string[]) => lab.cli(["dig", "+time=2", "+tries=1", `@${LAB.srvIp}`, ...a]);
      await dig(ZONE.web, "A");
      await dig(ZONE.v6, "AAAA");
      await dig(ZONE.alias, "A");
      await dig("+tcp", ZONE.web, "A");
      await dig("nothere.flintnet.test", "A");
      // a flow to the address DNS named, with no name of its own
      await lab.cli(["bash", "-c", `echo hello > /dev/udp/${LAB.webIp}/9`]);
      await lab.httpGet(`${HOST}:${LAB.httpPort}`);
      await lab.tlsHello(SNI);
      // The server advertises a small MSS: the client's ClientHello (about 250 octets) needs two segments.
      await lab.srv([
        "ip",
        "route",
        "replace",
        "10.231.90.0/24",
        "dev",
        LAB.srvIf,
        "src",
        LAB.srvIp,
        "advmss",
        "180",
      ]);
      await lab.tlsHello(SPLIT_SNI);
      await rec.stop();

      const tlsAs = ["-2", "-d", `tcp.port==${LAB.tlsPort},tls`];
      // ---- tshark's view
      const queries = await tsharkFields(pcap, "dns.flags.response == 0", ["dns.qry.name", "dns.qry.type"]);
      const responses = await tsharkFields(pcap, "dns.flags.response == 1", [
        "dns.qry.name",
        "dns.a",
        "dns.aaaa",
        "dns.cname",
        "dns.resp.ttl",
        "dns.flags.rcode",
      ]);
      const snis = await tsharkFields(pcap, "tls.handshake.type == 1", [
        "tls.handshake.extensions_server_name",
        "tcp.srcport",
        "tcp.reassembled_in",
        "tcp.segment.count",
      ], tlsAs);
      const hosts = await tsharkFields(pcap, "http.request", ["http.host", "tcp.srcport"]);
      assert.equal(queries.length, 5, "tshark saw the five queries");
      assert.equal(snis.length, 2, "tshark saw both ClientHellos");
      const split = snis.find((s) => s[0] === SPLIT_SNI);
      assert.ok(
        split && Number(split[3]) >= 2,
        `the second ClientHello spans segments: ${JSON.stringify(snis)}`,
      );

      // ---- Flintnet's view of the same file
      const r = await runFlintnet(["replay", pcap, "--all-flows"]);
      assert.equal(r.code, 0, r.stderr);
      const doc = JSON.parse(r.stdout) as {
        flows: FlowOut[];
        dns: Record<string, (DnsEntry & { ts: string })[]>;
      };
      const history = doc.dns[LAB.cliIp];
      assert.ok(history, `a DNS history for ${LAB.cliIp}: ${JSON.stringify(Object.keys(doc.dns))}`);
      assert.deepEqual(history.map((e) => e.name), queries.map((q) => q[0]), "query names, in order");
      assert.deepEqual(
        history.map((e) => e.type),
        queries.map((q) => ({ 1: "A", 28: "AAAA" } as Record<string, string>)[q[1]]),
      );
      for (const [i, resp] of responses.entries()) {
        const e = history[i];
        assert.equal(e.name, resp[0]);
        assert.equal(e.rcode, RCODES[resp[5]], `rcode of ${resp[0]}`);
        const a = resp[1] ? resp[1].split(",") : [], aaaa = resp[2] ? resp[2].split(",") : [];
        const cname = resp[3] ? resp[3].split(",") : [], ttl = resp[4] ? resp[4].split(",").map(Number) : [];
        assert.deepEqual(e.answers.filter((x) => x.type === "A").map((x) => x.data), a, `A of ${resp[0]}`);
        assert.deepEqual(
          e.answers.filter((x) => x.type === "AAAA").map((x) => x.data),
          aaaa,
          `AAAA of ${resp[0]}`,
        );
        assert.deepEqual(
          e.answers.filter((x) => x.type === "CNAME").map((x) => x.data),
          cname,
          `CNAME of ${resp[0]}`,
        );
        assert.deepEqual(e.answers.map((x) => x.ttl), ttl, `TTLs of ${resp[0]}`);
      }

      const flowTo = (port: number, proto = 6) =>
        doc.flows.filter((f) => f.dst_port === port && f.protocol === proto && f.src_ip === LAB.cliIp);
      // SNI: each ClientHello's connection carries tshark's name, in both directions
      for (const [name, srcPort] of snis) {
        const f = doc.flows.find((x) => x.src_port === Number(srcPort) && x.dst_port === LAB.tlsPort);
        const back = doc.flows.find((x) => x.dst_port === Number(srcPort) && x.src_port === LAB.tlsPort);
        assert.deepEqual([f?.server_name, f?.name_source], [name, "sni"], `flow from port ${srcPort}`);
        assert.deepEqual([back?.server_name, back?.name_source], [name, "sni"], `reverse of ${srcPort}`);
      }
      // HTTP Host without its port
      assert.equal(hosts.length, 1);
      const http = flowTo(LAB.httpPort)[0];
      assert.deepEqual([http.server_name, http.name_source], [hosts[0][0].replace(/:\d+$/, ""), "http_host"]);
      // DNS: the flow to the answered address is named after the last name tshark saw answered with it
      const lastAsked = responses.filter((x) => x[1].split(",").includes(LAB.webIp)).at(-1)![0];
      const udp = flowTo(9, 17)[0];
      assert.ok(udp, "the UDP flow to the named address");
      assert.deepEqual([udp.server_name, udp.name_source], [lastAsked, "dns"]);
    } catch (e) {
      console.error(lab.output());
      throw e;
    } finally {
      await lab.destroy();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});

Deno.test({
  name:
    "the daemon capturing in a namespace names live flows: /flows?name= filters, /devices/:ip shows DNS history",
  ignore: skip !== null,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const lab = new VisibilityLab();
    const stateDir = await Deno.makeTempDir({ prefix: "fvi-names-state-" });
    let daemon: Daemon | undefined;
    try {
      await lab.start();
      daemon = await startDaemon(
        {
          FLINTNET_STATE_DIR: stateDir,
          FLINTNET_INTERFACE: LAB.srvIf,
          FLINTNET_CIDR: LAB.cidr,
          FLINTNET_LISTEN: `127.0.0.1:${PORT}`,
          FLINTNET_API_TOKEN: TOKEN,
          FLINTNET_TRAP_LISTEN: "off",
        },
        30_000,
        LAB.srv,
      );
      const api = async (path: string) => {
        const out = await lab.srv([
          "curl",
          "-sS",
          "-m",
          "5",
          "-H",
          `Authorization: Bearer ${TOKEN}`,
          `http://127.0.0.1:${PORT}${path}`,
        ]);
        return JSON.parse(out);
      };
      await lab.cli(["dig", "+time=2", "+tries=1", `@${LAB.srvIp}`, ZONE.web, "A"]);
      await lab.tlsHello(SNI);
      await lab.httpGet(HOST);

      let named: { flows: FlowOut[] } = { flows: [] };
      for (let i = 0; i < 40 && named.flows.length < 2; i++) {
        named = await api(`/flows?name=${SNI}`);
        if (named.flows.length < 2) await new Promise((r) => setTimeout(r, 250));
      }
      // both directions of the TLS connection, and nothing else
      assert.equal(named.flows.length, 2, JSON.stringify(named));
      for (const f of named.flows) assert.deepEqual([f.server_name, f.name_source], [SNI, "sni"]);
      assert.ok(named.flows.every((f) => f.src_port === LAB.tlsPort || f.dst_port === LAB.tlsPort));
      // a parent name takes the names under it
      const under = await api("/flows?name=flintnet.test");
      const names = new Set(under.flows.map((f: FlowOut) => f.server_name));
      assert.ok(names.has(SNI) && names.has(HOST), JSON.stringify([...names]));

      let device: { dns_history?: DnsEntry[] } = {};
      for (let i = 0; i < 80 && !device.dns_history; i++) {
        device = await api(`/devices/${LAB.cliIp}`);
        if (!device.dns_history) await new Promise((r) => setTimeout(r, 250));
      }
      assert.ok(device.dns_history, `GET /devices/${LAB.cliIp}: ${JSON.stringify(device)}`);
      assert.deepEqual(device.dns_history[0].name, ZONE.web);
      assert.deepEqual(device.dns_history[0].answers, [{ type: "A", data: LAB.webIp, ttl: ZONE.ttl }]);
    } catch (e) {
      console.error(lab.output());
      if (daemon) console.error(daemon.lines.join("\n"));
      throw e;
    } finally {
      await daemon?.kill();
      await lab.destroy();
      await Deno.remove(stateDir, { recursive: true }).catch(() => {});
    }
  },
});
