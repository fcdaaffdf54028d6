/**
 * The NetFlow collector alone, idle: both listeners open, nothing received; prints the process's RSS
 * (bytes) after 3 s. `--worker` runs it in its Worker. Run by tests/bench/netflow_ingest.ts.
 */
import { setLogSink } from "../../src/base/log.ts";
import { CollectorService } from "../../src/netflow/collector_service.ts";

setLogSink(() => {});
const service = new CollectorService({
  listeners: [{ name: "netflow", hostname: "127.0.0.1", port: 0 }, {
    name: "ipfix",
    hostname: "127.0.0.1",
    port: 0,
  }],
  rcvbufBytes: 32 << 20,
  sampling: [],
  onRecords: () => {},
  inWorker: Deno.args.includes("--worker"),
});
await service.start();
await new Promise((r) => setTimeout(r, 3000));
console.log(Deno.memoryUsage().rss);
await service.stop();
