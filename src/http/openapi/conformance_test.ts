/**
 * The document against the daemon's real answers: requests go to createHttpApp over real stores (device
 * registry, ARP history, alert ring, alert history, mutes, policy), each answer's status must be one the
 * operation documents, and each JSON body must validate against the documented schema. Objects in the
 * document forbid unknown members, so a member the code writes but the document lacks fails too.
 */
import assert from "node:assert/strict";
import { AlertPolicyStore } from "../../alert/alert_policy.ts";
import { AlertRing } from "../../alert/alert_ring.ts";
import { Mutes } from "../../alert/mutes.ts";
import {
  type DeviceEvent,
  EventBus,
  type InterfaceEvent,
  type InterfaceJson,
  type SecurityEvent,
  type TopologyEvent,
  type TrapEvent,
} from "../../events/mod.ts";
import { ArpHistory } from "../../devices/arp_history.ts";
import { parseMac } from "../../net/mac.ts";
import { DeviceRegistry } from "../../devices/registry.ts";
import { parseIpv4 } from "../../net/address.ts";
import { alertFields } from "../../store/alert_row.ts";
import { openHistory } from "../../store/history_db.ts";
import { TopologyStore } from "../../topology/mod.ts";
import { createHttpApp } from "../app.ts";
import { SseHub } from "../sse_hub.ts";
import { buildOpenApi } from "../routes/openapi.ts";
import { emptyFlowDeps } from "../../../tests/helpers/http_stores.ts";
import { anomalyHarness } from "../../../tests/helpers/anomaly_harness.ts";
import { AnomalyStore } from "../../alert/anomaly_store.ts";
import { anomaliesRoutes } from "../routes/anomalies.ts";
import { flowsRoutes } from "../routes/flows.ts";
import { advisoriesRoutes } from "../routes/advisories.ts";
import { AdvisoryBook } from "../../analysis/mod.ts";
import { FlowHistoryDb } from "../../store/flow_history_db.ts";

// deno-lint-ignore no-explicit-any
type Doc = any;

const DOC: Doc = buildOpenApi();

/** Errors of `value` against `schema` (a small JSON Schema 2020-12 subset: what the document uses). */
function validate(value: unknown, schema: Doc, at = "$"): string[] {
  if (schema.$ref) {
    const name = schema.$ref.replace("#/components/schemas/", "");
    assert.ok(DOC.components.schemas[name], `${schema.$ref} exists`);
    return validate(value, DOC.components.schemas[name], at);
  }
  const errs: string[] = [];
  if (schema.anyOf && !schema.anyOf.some((s: Doc) => validate(value, s, at).length === 0)) {
    errs.push(`${at}: matches none of anyOf`);
  }
  if (schema.oneOf && schema.oneOf.filter((s: Doc) => validate(value, s, at).length === 0).length !== 1) {
    errs.push(`${at}: does not match exactly one of oneOf`);
  }
  if ("const" in schema && value !== schema.const) errs.push(`${at}: ${JSON.stringify(value)} ≠ const`);
  if (schema.enum && !schema.enum.includes(value)) errs.push(`${at}: ${JSON.stringify(value)} not in enum`);
  if (schema.type !== undefined) {
    const types: string[] = Array.isArray(schema.type) ? schema.type : [schema.type];
    const actual = value === null
      ? "null"
      : Array.isArray(value)
      ? "array"
      : Number.isInteger(value)
      ? "integer"
      : typeof value;
    if (!types.includes(actual) && !(actual === "integer" && types.includes("number"))) {
      return [...errs, `${at}: ${JSON.stringify(value)?.slice(0, 60)} is not ${types.join("|")}`];
    }
  }
  if (typeof value === "string" && schema.format === "date-time" && Number.isNaN(Date.parse(value))) {
    errs.push(`${at}: not a date-time`);
  }
  if (typeof value === "number") {
    if (schema.minimum !== undefined && value < schema.minimum) errs.push(`${at}: below minimum`);
    if (schema.maximum !== undefined && value > schema.maximum) errs.push(`${at}: above maximum`);
  }
  if (Array.isArray(value) && schema.items) {
    value.forEach((v, i) => errs.push(...validate(v, schema.items, `${at}[${i}]`)));
  }
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const o = value as Record<string, unknown>;
    for (const k of schema.required ?? []) if (!(k in o)) errs.push(`${at}: missing ${k}`);
    for (const [k, v] of Object.entries(o)) {
      const prop = schema.properties?.[k];
      if (prop) errs.push(...validate(v, prop, `${at}.${k}`));
      else if (schema.additionalProperties === false) errs.push(`${at}: ${k} is not documented`);
    }
  }
  return errs;
}

function assertValid(value: unknown, schema: Doc, what: string): void {
  assert.deepEqual(validate(value, schema), [], `${what}: ${JSON.stringify(value).slice(0, 300)}`);
}

const TOKEN = "openapi-conformance-token-0123";
const NOW = Date.parse("2024-05-01T12:00:00Z");
const MAC = "00:1b:21:3a:4f:5e";

const IF_UP: InterfaceJson = {
  index: 1,
  name: "eth0",
  alias: "uplink",
  type: "ethernetCsmacd",
  speed_bps: 1_000_000_000,
  oper_status: "up",
  admin_status: "up",
  in_util_pct: 1.5,
  out_util_pct: 0.25,
  in_bps: 15_000_000,
  out_bps: 2_500_000,
  in_errors_per_s: 0,
  out_errors_per_s: 0,
  in_discards_per_s: 0,
  counters: "hc64",
};

const SECURITY: SecurityEvent = {
  kind: "security",
  ts: new Date(NOW).toISOString(),
  type: "arp_spoof",
  severity: "critical",
  mac: MAC,
  ip: "192.0.2.1",
  vendor: null,
  explanation: "Another MAC answered for the gateway.",
  evidence: { macs: [MAC, "02:00:00:00:00:01"] },
  source: "capture",
};

const TRAP: TrapEvent = {
  kind: "trap",
  ts: new Date(NOW).toISOString(),
  source_ip: "192.0.2.1",
  version: "v2c",
  pdu: "inform",
  name: "linkDown",
  trap_oid: "1.3.6.1.6.3.1.1.5.3",
  uptime_cs: 12345,
  if_index: 1,
  if_name: "eth0",
  varbinds: [{ oid: "1.3.6.1.2.1.2.2.1.1.1", type: "Integer", value: "1" }],
  reason: "Interface 1 of 192.0.2.1 went down.",
};

/** Every request the test makes: [method, documented path, status] for the coverage check. */
type Seen = [string, string, number][];

interface World {
  call(
    method: string,
    template: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: Doc }>;
  events: DeviceEvent[];
  seen: Seen;
  /** The map over the registry, and what it published. */
  topology: TopologyStore;
  topologyEvents: TopologyEvent[];
}

async function withWorld(fn: (w: World) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "flintnet-openapi-" });
  const bus = new EventBus();
  const hub = new SseHub(bus, { heartbeatMs: 60_000 });
  const history = openHistory(`${dir}/history.db`);
  const events: DeviceEvent[] = [];
  const registry = new DeviceRegistry({
    path: `${dir}/devices.json`,
    publish: (e) => events.push(e),
    now: () => NOW,
  });
  try {
    registry.observe({ ip: "192.0.2.1", mac: MAC, source: "arp_sweep", seenAt: NOW - 60_000 });
    registry.observe({
      ip: "192.0.2.1",
      source: "snmp",
      system: {
        sysDescr: "Cisco IOS 15.2",
        sysObjectId: "1.3.6.1.4.1.9.1.1",
        sysUpTimeCs: 360000,
        sysServices: 6,
        sysName: "gw",
      },
      classification: {
        type: "router",
        rule: "sysservices-layer3",
        vendor: "Cisco",
        model: "C2960",
        osVersion: "15.2",
      },
      snmp: { status: "ok", last_success: new Date(NOW).toISOString(), last_error: null, poll_ms: 12 },
      interfaces: [IF_UP, {
        ...IF_UP,
        index: 2,
        name: "eth1",
        alias: "",
        speed_bps: null,
        oper_status: "down",
        in_util_pct: null,
        out_util_pct: null,
        in_bps: null,
        out_bps: null,
        counters: null,
      }],
      cpuPct: 7,
      memoryPct: 41.5,
    });
    registry.observe({ ip: "2001:db8::1", source: "traffic" });
    const arp = new ArpHistory();
    arp.claim(parseMac(MAC)!, parseIpv4("192.0.2.1")!, NOW - 60_000);
    arp.claim(parseMac("02:00:00:00:00:01")!, parseIpv4("192.0.2.1")!, NOW);
    const topologyEvents: TopologyEvent[] = [];
    const topology = new TopologyStore({
      publish: (e) => topologyEvents.push(e),
      devices: () => registry.list(),
      self: () => ({ name: "flintnet", ip: "192.0.2.9" }),
      agePolls: 3,
      now: () => NOW,
    });
    topology.rebuild();
    const ring = new AlertRing();
    ring.add({ ...SECURITY, id: 7 });
    for (const e of [SECURITY, TRAP]) history.insert({ ...alertFields(e), event: { ...e }, muted: false });
    history.flush();
    const app = createHttpApp({
      ...emptyFlowDeps(),
      token: TOKEN,
      bus,
      hub,
      startedAt: new Date(NOW),
      // As deviceSource() in src/app.ts composes them.
      devices: {
        list: () => registry.list(),
        get: (ip) => registry.get(ip),
        detail: (ip) => {
          const mac = registry.get(ip)?.mac ?? null;
          return {
            arp: mac ? arp.toJson(mac) : null,
            ip_claims: arp.ipClaims(ip),
            alerts: mac ? ring.forMac(mac) : [],
          };
        },
      },
      discovery: {
        start: () => ({
          started: true,
          sweep: {
            id: 1,
            trigger: "api",
            cidrs: ["192.0.2.0/24"],
            scanned: 3,
            total: 254,
            found: 1,
            snmp: 1,
            started_at: new Date(NOW).toISOString(),
            elapsed_s: 0.5,
          },
        }),
        status: () => ({ running: false, sweep: null, next_at: new Date(NOW + 3_600_000).toISOString() }),
      },
      acknowledger: {
        acknowledge: (id) => {
          const d = registry.get(id);
          return Promise.resolve(d?.mac ? { mac: d.mac } : d ? { noMac: true } : { unknown: true });
        },
      },
      alerts: { history, mutes: new Mutes(history) },
      alertPolicy: new AlertPolicyStore({ stateDir: dir }),
      topology,
    });
    const seen: Seen = [];
    await fn({
      events,
      seen,
      topology,
      topologyEvents,
      async call(method, template, path, body) {
        const init: RequestInit = { method, headers: { Authorization: `Bearer ${TOKEN}` } };
        if (body !== undefined) {
          init.body = typeof body === "string" ? body : JSON.stringify(body);
          init.headers = { ...init.headers, "Content-Type": "application/json" };
        }
        const res = await app.request(path, init);
        const text = await res.text();
        seen.push([method.toLowerCase(), template, res.status]);
        const op = DOC.paths[template][method.toLowerCase()];
        const documented = op.responses[String(res.status)];
        assert.ok(documented, `${method} ${path} answered ${res.status}, which is not documented: ${text}`);
        const schema = documented.content?.["application/json"]?.schema ??
          (documented.$ref ? { $ref: "#/components/schemas/Error" } : undefined);
        const json = text === "" ? null : JSON.parse(text);
        if (schema) assertValid(json, schema, `${method} ${path} → ${res.status}`);
        return { status: res.status, json };
      },
    });
  } finally {
    await hub.stop();
    history.close();
    await registry.flush().catch(() => {});
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("device, discovery and ack answers validate against the documented schemas", async () => {
  await withWorld(async ({ call, events }) => {
    const list = await call("GET", "/devices", "/devices");
    assert.equal(list.json.count, 2);
    assert.equal(list.json.devices[0].interfaces.length, 2);
    assert.equal((await call("GET", "/devices", "/devices?type=unknown&status=not_polled")).json.count, 1);
    assert.equal((await call("GET", "/devices", "/devices?type=gateway")).status, 400);
    const one = await call("GET", "/devices/{ip}", "/devices/192.0.2.1");
    assert.equal(one.json.ip_claims.length, 2);
    assert.equal(one.json.alerts[0].id, 7);
    assert.equal((await call("GET", "/devices/{ip}", "/devices/2001:db8::1")).json.arp, null);
    assert.equal((await call("GET", "/devices/{ip}", "/devices/192.0.2.99")).status, 404);
    assert.equal((await call("GET", "/devices/{ip}", "/devices/not-an-ip")).status, 400);
    assert.equal((await call("POST", "/devices/{id}/ack", "/devices/192.0.2.1/ack")).json.mac, MAC);
    assert.equal((await call("POST", "/devices/{id}/ack", "/devices/02-00-00-00-00-99/ack")).status, 404);
    const noMac = await call("POST", "/devices/{id}/ack", "/devices/2001:db8::1/ack");
    assert.equal(noMac.status, 409, "a device found in traffic has no MAC to acknowledge");
    assert.equal((await call("POST", "/discovery", "/discovery")).status, 202);
    await call("GET", "/discovery", "/discovery");
    assert.ok(events.some((e) => e.action === "found") && events.some((e) => e.action === "updated"));
    for (const e of events) {
      assertValid({ ...e, id: 1 }, { $ref: "#/components/schemas/DeviceEvent" }, e.action);
    }
  });
});

Deno.test("alert, mute and policy answers validate against the documented schemas", async () => {
  await withWorld(async ({ call }) => {
    const page = await call("GET", "/alerts", "/alerts?limit=1");
    assert.equal(page.json.total_matched, 2);
    assert.ok(page.json.next_cursor);
    await call("GET", "/alerts", `/alerts?cursor=${page.json.next_cursor}`);
    assert.equal((await call("GET", "/alerts", "/alerts?acked=maybe")).status, 400);
    const id = page.json.alerts[0].id;
    assert.ok((await call("GET", "/alerts/{id}", `/alerts/${id}`)).json.event);
    assert.equal((await call("GET", "/alerts/{id}", "/alerts/999")).status, 404);
    assert.equal((await call("GET", "/alerts/{id}", "/alerts/0")).status, 400);
    const acked = await call("POST", "/alerts/{id}/ack", `/alerts/${id}/ack`, { note: "ours" });
    assert.equal(acked.json.ack_note, "ours");
    assert.equal((await call("POST", "/alerts/{id}/ack", `/alerts/${id}/ack`)).status, 200);
    assert.equal((await call("POST", "/alerts/{id}/ack", `/alerts/${id}/ack`, { nope: 1 })).status, 400);
    const big = { reason: "x".repeat(20_000), kind: "trap", duration_s: 60 };
    assert.equal((await call("POST", "/mutes", "/mutes", big)).status, 413);

    const rule = { mac: MAC, kind: "security", type: "arp_spoof", duration_s: 3600, reason: "maintenance" };
    assertValid(rule, { $ref: "#/components/schemas/NewMute" }, "the request");
    const made = await call("POST", "/mutes", "/mutes", rule);
    assert.equal(made.status, 201);
    assert.equal((await call("POST", "/mutes", "/mutes", { kind: "trap" })).status, 400);
    assert.equal((await call("GET", "/mutes", "/mutes")).json.count, 1);
    assert.equal((await call("DELETE", "/mutes/{id}", `/mutes/${made.json.id}`)).status, 204);
    assert.equal((await call("DELETE", "/mutes/{id}", `/mutes/${made.json.id}`)).status, 404);

    const policy = (await call("GET", "/config/alerts", "/config/alerts")).json;
    assertValid(policy, { $ref: "#/components/schemas/AlertPolicyPatch" }, "the policy as a patch");
    assert.equal((await call("PUT", "/config/alerts", "/config/alerts", policy)).status, 200);
    const patch = { anomaly: { k: 100 }, routes: { trap: ["webhook"] } };
    assertValid(patch, { $ref: "#/components/schemas/AlertPolicyPatch" }, "a patch");
    assert.equal((await call("PUT", "/config/alerts", "/config/alerts", patch)).json.anomaly.k, 100);
    assert.equal((await call("PUT", "/config/alerts", "/config/alerts", { anomaly: { k: 0 } })).status, 400);
    assert.equal((await call("PUT", "/config/alerts", "/config/alerts", "{")).status, 400);
  });
});

Deno.test("the documented request schemas refuse what the routes refuse", () => {
  const refuses = (name: string, body: unknown) =>
    assert.notDeepEqual(validate(body, { $ref: `#/components/schemas/${name}` }), [], JSON.stringify(body));
  refuses("NewMute", { duration_s: 60 }); // nothing to mute
  refuses("NewMute", { kind: "trap" }); // no end
  refuses("NewMute", { kind: "trap", duration_s: 60, until: "2024-05-01" }); // two ends
  refuses("NewMute", { kind: "trap", duration_s: 0 });
  refuses("AlertPolicyPatch", { cooldown: 60 });
  refuses("AlertPolicyPatch", { routes: { trap: ["sms"] } });
  refuses("AlertAck", { note: 5 });
});

Deno.test("trap, interface and security events validate against their stream schemas", () => {
  const iface: InterfaceEvent = {
    kind: "interface",
    ts: new Date(NOW).toISOString(),
    device_ip: "192.0.2.1",
    device_name: null,
    interface: IF_UP,
    change: "link_down",
  };
  assertValid({ ...TRAP, id: 2 }, { $ref: "#/components/schemas/TrapEvent" }, "trap");
  assertValid({ ...iface, id: 3 }, { $ref: "#/components/schemas/InterfaceEvent" }, "interface");
  assertValid({ ...SECURITY, id: 4 }, { $ref: "#/components/schemas/SecurityEvent" }, "security");
  assert.notDeepEqual(validate({ ...TRAP, id: 2, extra: 1 }, { $ref: "#/components/schemas/TrapEvent" }), []);
});

Deno.test("topology answers and events validate against the documented schemas", async () => {
  await withWorld(async ({ call, topology, topologyEvents }) => {
    topology.observePoll("192.0.2.1", {
      chassisIds: ["mac:00:1b:21:3a:4f:5e"],
      names: ["gw"],
      reports: [{
        protocol: "cdp",
        localPort: { ifIndex: 1, name: "eth0", aliases: ["eth0"] },
        remote: {
          chassisId: null,
          name: "sw-floor2",
          platform: "cisco WS-C2960X-24PS-L",
          capabilities: ["switch", "igmp"],
          addresses: ["192.0.2.20"],
          macs: [],
          port: { ifIndex: null, name: "GigabitEthernet1/0/24", aliases: ["GigabitEthernet1/0/24"] },
        },
      }],
      fdb: [{ mac: "02:00:00:00:00:42", ifIndex: 2 }],
    });
    const map = (await call("GET", "/topology", "/topology")).json;
    assert.deepEqual(map.nodes.map((n: { id: string }) => n.id), ["192.0.2.1", "192.0.2.20"]);
    assert.equal(map.edges[0].in_bps, 15_000_000, "the polled interface's rate");
    const hosts = (await call("GET", "/topology", "/topology?hosts=1")).json;
    assert.equal(hosts.edges.length, 2);
    assert.equal((await call("GET", "/topology", "/topology?hosts=2")).status, 400);
    assert.deepEqual(topologyEvents.map((e) => e.action), ["node_added", "node_added", "edge_added"]);
    for (const e of topologyEvents) {
      assertValid({ ...e, id: 5 }, { $ref: "#/components/schemas/TopologyEvent" }, e.action);
    }
  });
});

Deno.test("anomaly events the detector makes (open and closed; flow, host, subnet) and /flows answers validate", async () => {
  const h = anomalyHarness();
  const flow = { src: "10.0.1.5", dst: "198.51.100.7", srcPort: 40000, dstPort: 443, proto: 6 };
  const fresh = (i: number) => ({ ...flow, src: `10.0.1.${100 + i}`, srcPort: 50000 }); // new hosts, old /24
  for (let i = 0; i < 60; i++) {
    h.send(flow, i, i >= 40 && i < 43 ? 8_000_000 : 1_000_000); // a flow's spike …
    if (i >= 50 && i < 54) { for (let j = 0; j < 10; j++) h.send(fresh(j), i, 900_000, 2); // … a subnet's
     }
  }
  h.pipeline.finish();
  const scopes = new Set(h.events.map((e) => `${e.scope} ${e.phase}`));
  assert.deepEqual([...scopes].sort(), ["flow closed", "flow open", "subnet closed", "subnet open"]);
  h.events.forEach((e, i) =>
    assertValid({ ...e, id: i + 1 }, { $ref: "#/components/schemas/AnomalyEvent" }, `${e.scope} ${e.phase}`)
  );
  const flows = await (await flowsRoutes({ table: h.table, warmupIntervals: 30 }).request("/flows")).json();
  assert.ok(flows.flows.length > 0 && flows.flows[0].baseline.mature);
  assertValid(flows, { $ref: "#/components/schemas/FlowsPage" }, "/flows");
  const store = new AnomalyStore(10);
  h.events.forEach((e, i) => store.add({ ...e, id: i + 1 }));
  const anomalies = await (await anomaliesRoutes({ anomalies: store }).request("/anomalies")).json();
  assert.equal(anomalies.count, 2, "one per episode");
  assertValid(anomalies, { $ref: "#/components/schemas/AnomaliesPage" }, "/anomalies");
});

Deno.test("advisory events, /advisories pages and /flows history pages validate against the documented schemas", async () => {
  const published: Record<string, unknown>[] = [];
  const book = new AdvisoryBook((e) => published.push(e as unknown as Record<string, unknown>));
  const finding = {
    type: "port_scan" as const,
    key: "10.0.0.9",
    severity: "warning" as const,
    subject: "10.0.0.9",
    subject_kind: "host" as const,
    ip: "10.0.0.9",
    summary: "10.0.0.9 contacted 600 unique ports in 60 s — likely a port scan.",
    action: "Isolate it.",
    evidence: { ports: 600, port_sample: [1, 2, 3] },
  };
  book.run(["port_scan"], [finding], 1, NOW);
  book.run(["port_scan"], [], 1, NOW + 60_000);
  assert.equal(published.length, 2);
  published.forEach((e, i) =>
    assertValid({ ...e, id: i + 1 }, { $ref: "#/components/schemas/AdvisoryEvent" }, `advisory ${e.phase}`)
  );
  const page = await (await advisoriesRoutes({ advisories: book }).request("/advisories")).json();
  assert.equal(page.count, 1);
  assertValid(page, { $ref: "#/components/schemas/AdvisoriesPage" }, "/advisories");

  const db = new FlowHistoryDb(":memory:");
  try {
    const n = 1;
    db.write({
      minuteMs: NOW - 120_000,
      flows: {
        count: n,
        family: new Uint8Array([4]),
        src: new Uint32Array([0x0a000001, 0, 0, 0]),
        dst: new Uint32Array([0xc0000201, 0, 0, 0]),
        srcPort: new Uint16Array([40000]),
        dstPort: new Uint16Array([443]),
        proto: new Uint8Array([6]),
        tcpFlags: new Uint8Array([0x1b]),
        bytes: new Float64Array([1234]),
        packets: new Float64Array([5]),
        firstMs: new Float64Array([NOW - 119_000]),
        lastMs: new Float64Array([NOW - 100_000]),
        exporter: new Uint16Array(n),
        exporterMask: new Uint32Array(n),
        inIf: new Uint32Array(n),
        outIf: new Uint32Array(n),
        srcAs: new Uint32Array(n),
        dstAs: new Uint32Array(n),
      },
      exporters: [],
      hosts: [],
      subnets: [],
      interfaces: [],
      totals: { bytes: 1234, packets: 5, flows: 1, flows_not_kept: 0 },
    });
    const routes = flowsRoutes({
      table: emptyFlowDeps().table,
      warmupIntervals: 30,
      history: { query: (q) => Promise.resolve(db.query(q)) },
    });
    const since = new Date(NOW - 600_000).toISOString();
    const history = await (await routes.request(`/flows?since=${since}&until=${new Date(NOW).toISOString()}`))
      .json();
    assert.equal(history.count, 1);
    assertValid(history, { $ref: "#/components/schemas/HistoryFlowsPage" }, "/flows?since=");
  } finally {
    db.close();
  }
});

Deno.test("recording answers validate against the documented schemas, and the body schema refuses what the route refuses", async () => {
  const { Recorder } = await import("../../recording/mod.ts");
  const dir = await Deno.makeTempDir({ prefix: "flintnet-openapi-rec-" });
  const recorder = new Recorder({
    dir: `${dir}/recordings`,
    maxFileBytes: 1 << 20,
    maxTotalBytes: 4 << 20,
    maxCount: 2,
    snaplen: 256,
    ringBytes: 1 << 20,
    keepAll: false,
  });
  await recorder.start([]); // no capture: the files stay empty, the API is the same
  const bus = new EventBus();
  const hub = new SseHub(bus, { heartbeatMs: 60_000 });
  const stores = (await import("../../../tests/helpers/http_stores.ts")).emptyStores();
  const app = createHttpApp({
    ...emptyFlowDeps(),
    ...stores.deps,
    token: TOKEN,
    bus,
    hub,
    recordings: {
      maxPreSeconds: 0,
      list: () => recorder.index.list(),
      start: (req) => recorder.begin({ ...req, trigger: "api", reason: null }),
      stop: (id) => recorder.end(id),
      remove: (id) => recorder.remove(id),
      download: (id) => recorder.download(id),
    },
  });
  const call = async (method: string, template: string, path: string, body?: unknown) => {
    const res = await app.request(path, {
      method,
      headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const op = DOC.paths[template][method.toLowerCase()];
    const documented = op.responses[String(res.status)];
    const type = res.headers.get("Content-Type") ?? "";
    const text = type.includes("json") ? await res.text() : "";
    if (!type.includes("json")) await res.body?.cancel();
    assert.ok(documented, `${method} ${path} answered ${res.status}, not documented: ${text}`);
    const schema = documented.content?.["application/json"]?.schema ??
      (documented.$ref ? { $ref: "#/components/schemas/Error" } : undefined);
    const json = text === "" ? null : JSON.parse(text);
    if (schema && json !== null) assertValid(json, schema, `${method} ${path} → ${res.status}`);
    return { status: res.status, json, type };
  };
  try {
    const made = await call("POST", "/recordings", "/recordings", { host: "192.0.2.7", duration_s: 60 });
    assert.equal(made.status, 201);
    const flow = {
      flow: { src_ip: "192.0.2.7", dst_ip: "2001:db8::1", protocol: "tcp", src_port: 1, dst_port: 443 },
    };
    assert.equal((await call("POST", "/recordings", "/recordings", flow)).status, 201);
    assert.equal(
      (await call("POST", "/recordings", "/recordings", { filter: "net 10.0.0.0/8" })).status,
      409,
    );
    for (
      const bad of [{ filter: "host 1.2.3.4 or port 80" }, { host: "x" }, {}, {
        host: "192.0.2.1",
        pre_seconds: 5,
      }]
    ) {
      assert.equal((await call("POST", "/recordings", "/recordings", bad)).status, 400, JSON.stringify(bad));
    }
    assert.equal((await call("GET", "/recordings", "/recordings")).json.count, 2);
    const pcap = await call("GET", "/recordings/{id}/pcap", `/recordings/${made.json.id}/pcap`);
    assert.equal(pcap.status, 200);
    assert.equal(pcap.type, "application/vnd.tcpdump.pcap");
    assert.equal(
      (await call("POST", "/recordings/{id}/stop", `/recordings/${made.json.id}/stop`)).json.state,
      "stopped",
    );
    assert.equal((await call("POST", "/recordings/{id}/stop", "/recordings/99/stop")).status, 404);
    assert.equal((await call("GET", "/recordings/{id}/pcap", "/recordings/0/pcap")).status, 400);
    assert.equal((await call("DELETE", "/recordings/{id}", `/recordings/${made.json.id}`)).status, 204);
    assert.equal((await call("DELETE", "/recordings/{id}", `/recordings/${made.json.id}`)).status, 404);
    const refuses = (body: unknown) =>
      assert.notDeepEqual(
        validate(body, { $ref: "#/components/schemas/NewRecording" }),
        [],
        JSON.stringify(body),
      );
    refuses({});
    refuses({ host: "192.0.2.1", filter: "tcp" });
    refuses({ host: "192.0.2.1", colour: "red" });
  } finally {
    await recorder.stop();
    await hub.stop();
    stores.close();
    await Deno.remove(dir, { recursive: true });
  }
});
