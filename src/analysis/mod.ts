/**
 * Advisories in plain language: the analysis engine (a Detector the flow pipeline calls each interval),
 * one analyzer per file (top talkers, traffic spikes and drops, insecure protocols, scans and sweeps, DNS
 * volume, flow asymmetry), and the book that raises each advisory once and resolves it once. The only
 * file other folders import.
 */
export { AnalysisEngine, type AnalysisStats } from "./analysis_engine.ts";
export { AdvisoryBook } from "./advisory_book.ts";
export {
  ADVISORY_FILE,
  AdvisoryFileError,
  advisoryFileText,
  parseAdvisoryFile,
  type SavedAdvisory,
} from "./advisory_file.ts";
export { createAnalysis } from "./create_analysis.ts";
export type { Analyzer, Finding, MinuteInput } from "./analyzer.ts";
