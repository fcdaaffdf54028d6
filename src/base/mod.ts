/**
 * The ground floor without network knowledge: the JSON-lines logger, atomic file writes, bounded
 * concurrency, the ring buffer, state-file housekeeping, the element-a-line layout of large state files and
 * the version. Imports nothing of Flintnet. The only file other folders import.
 */
export { forEachBounded, Limiter } from "./async_pool.ts";
export { writeFileAtomic } from "./atomic_write.ts";
export { createLogger, LOG_LEVELS, type Logger, type LogLevel, setLogLevel } from "./log.ts";
export { RingBuffer } from "./ring_buffer.ts";
export {
  type Elements,
  elementsOf,
  jsonListSlices,
  type LinedReader,
  readLined,
  stringifyLined,
  stringifyLinedSlices,
} from "./lined_json.ts";
export {
  decodeUtf8Strict,
  loadStateFile,
  moveAside,
  readWholeFile,
  removeStaleTempFiles,
} from "./state_files.ts";
export { VERSION } from "./version.ts";
export { buildCommit } from "./build_info.ts";
export { Subsystems, type SubsystemStats } from "./subsystems.ts";
export { positive, positiveInteger } from "./checks.ts";
export { MinuteBudget } from "./minute_budget.ts";
export { HeapReducer, type HeapReducerOptions, type HeapSize } from "./heap_reducer.ts";
export { isoTime } from "./iso_time.ts";
