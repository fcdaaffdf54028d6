/**
 * The servers Flintnet's sinks write to, as Debian packages them, each on ports of the test's choosing
 * with its data in a fresh temporary directory: ClickHouse (clickhouse-server), InfluxDB 1.x (influxdb)
 * and Prometheus (prometheus). Each helper waits until the server answers, keeps its output for a
 * failing test to print, and stop() always ends it and removes its directory.
 *
 * @example
 * const ch = await startClickhouse(freePort());
 * try { await ch.query("SELECT 1") } finally { await ch.stop(); }
 */
import { watchChild, type WatchedChild } from "./child_process.ts";

/** A running server. */
export interface SinkServer {
  /** Its HTTP base URL, e.g. http://127.0.0.1:18123. */
  readonly url: string;
  /** Everything it printed. */
  output(): string;
  /** Stops it and removes its data. Idempotent. */
  stop(): Promise<void>;
}

/** Which of the three servers are missing, as an install hint; null when all are there. */
export async function sinkServersUnavailable(): Promise<string | null> {
  const need = [
    ["/usr/sbin/clickhouse-server", "clickhouse-server"],
    ["/usr/bin/influxd", "influxdb"],
    ["/usr/bin/prometheus", "prometheus"],
  ];
  const missing: string[] = [];
  for (const [path, pkg] of need) {
    if (!(await Deno.stat(path).then(() => true, () => false))) missing.push(pkg);
  }
  return missing.length ? `missing: apt-get install ${missing.join(" ")}` : null;
}

async function waitUntil(
  what: string,
  child: WatchedChild,
  ok: () => Promise<boolean>,
  ms = 30_000,
): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (child.exited) break;
    if (await ok().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  await child.stop();
  throw new Error(
    `${what} did not answer (${child.exited ? "it exited" : `within ${ms} ms`}):\n${child.output()}`,
  );
}

function server(url: string, child: WatchedChild, dir: string): SinkServer {
  return {
    url,
    output: () => child.output(),
    async stop() {
      await child.stop();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

/** ClickHouse with an HTTP port, user `default` (no password) and `flintnet` (password `password`). */
export async function startClickhouse(
  httpPort: number,
  tcpPort: number,
  password: string,
): Promise<
  SinkServer & {
    query(sql: string): Promise<string>;
  }
> {
  const dir = await Deno.makeTempDir({ prefix: "flintnet-clickhouse-" });
  await Deno.writeTextFile(
    `${dir}/config.xml`,
    `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><console>1</console></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>${httpPort}</http_port>
  <tcp_port>${tcpPort}</tcp_port>
  <path>${dir}/data/</path>
  <tmp_path>${dir}/tmp/</tmp_path>
  <user_files_path>${dir}/user_files/</user_files_path>
  <format_schema_path>${dir}/format_schemas/</format_schema_path>
  <users_config>users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>5368709</mark_cache_size>
</yandex>
`,
  );
  const user = (name: string, pw: string) =>
    `<${name}><password>${pw}</password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></${name}>`;
  await Deno.writeTextFile(
    `${dir}/users.xml`,
    `<?xml version="1.0"?>
<yandex><profiles><default></default></profiles><users>${user("default", "")}${
      user("flintnet", password)
    }</users><quotas><default></default></quotas></yandex>
`,
  );
  const child = watchChild(
    new Deno.Command("/usr/sbin/clickhouse-server", {
      args: [`--config-file=${dir}/config.xml`],
      cwd: dir,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn(),
    { outputLimit: 20_000 },
  );
  const url = `http://127.0.0.1:${httpPort}`;
  const query = async (sql: string) => {
    const r = await fetch(`${url}/?query=${encodeURIComponent(sql)}`, { method: "POST" });
    const text = await r.text();
    if (!r.ok) throw new Error(`ClickHouse: ${text}`);
    return text;
  };
  await waitUntil("clickhouse-server", child, async () => (await query("SELECT 1")).trim() === "1");
  return { ...server(url, child, dir), query };
}

/** InfluxDB 1.x with authentication off, on `httpPort` (and `rpcPort` for its backup service). */
export async function startInfluxdb(httpPort: number, rpcPort: number): Promise<
  SinkServer & {
    query(db: string, influxql: string): Promise<Record<string, unknown>>;
  }
> {
  const dir = await Deno.makeTempDir({ prefix: "flintnet-influxdb-" });
  await Deno.writeTextFile(
    `${dir}/influxdb.conf`,
    `reporting-disabled = true
bind-address = "127.0.0.1:${rpcPort}"
[meta]
  dir = "${dir}/meta"
[data]
  dir = "${dir}/data"
  wal-dir = "${dir}/wal"
[http]
  bind-address = "127.0.0.1:${httpPort}"
  log-enabled = false
[monitor]
  store-enabled = false
`,
  );
  const child = watchChild(
    new Deno.Command("/usr/bin/influxd", {
      args: ["-config", `${dir}/influxdb.conf`],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn(),
    { outputLimit: 20_000 },
  );
  const url = `http://127.0.0.1:${httpPort}`;
  await waitUntil(
    "influxd",
    child,
    async () => (await fetch(`${url}/ping`).then((r) => (r.body?.cancel(), r.status))) === 204,
  );
  const query = async (db: string, influxql: string) => {
    const r = await fetch(`${url}/query?db=${db}&epoch=ms&q=${encodeURIComponent(influxql)}`, {
      method: "POST",
    });
    return await r.json();
  };
  return { ...server(url, child, dir), query };
}

/** Prometheus scraping `target` (host:port) every second with `token` as a bearer credential. */
export async function startPrometheus(port: number, target: string, token: string): Promise<
  SinkServer & {
    query(promql: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
    targets(): Promise<{ health: string; lastError: string; labels: Record<string, string> }[]>;
  }
> {
  const dir = await Deno.makeTempDir({ prefix: "flintnet-prometheus-" });
  await Deno.writeTextFile(`${dir}/token`, token + "\n");
  await Deno.writeTextFile(
    `${dir}/prometheus.yml`,
    `global:
  scrape_interval: 1s
scrape_configs:
  - job_name: flintnet
    authorization:
      type: Bearer
      credentials_file: ${dir}/token
    static_configs:
      - targets: ["${target}"]
        labels:
          site: test-site
`,
  );
  const child = watchChild(
    new Deno.Command("/usr/bin/prometheus", {
      args: [
        `--config.file=${dir}/prometheus.yml`,
        `--storage.tsdb.path=${dir}/data`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      cwd: dir,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn(),
    { outputLimit: 20_000 },
  );
  const url = `http://127.0.0.1:${port}`;
  await waitUntil(
    "prometheus",
    child,
    async () => (await fetch(`${url}/-/ready`).then((r) => (r.body?.cancel(), r.status))) === 200,
  );
  return {
    ...server(url, child, dir),
    async query(promql) {
      const r = await (await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`)).json();
      return r.data?.result ?? [];
    },
    async targets() {
      const r = await (await fetch(`${url}/api/v1/targets`)).json();
      return r.data?.activeTargets ?? [];
    },
  };
}
