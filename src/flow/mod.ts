/**
 * The flow table (typed arrays, open addressing), the pipeline that feeds it batches and closes
 * intervals for the detectors it is given, flow JSON, Community ID, and queries over the live table.
 * The only file other folders import.
 */
export { AddressIndex } from "./address_index.ts";
export { communityId } from "./community_id.ts";
export { type Detector } from "./detector.ts";
export { type FlowJson, flowToJson, topFlowsByBytes } from "./flow_json.ts";
export { FlowTextCache, type FlowTextCacheOptions } from "./flow_text_cache.ts";
export { FlowPipeline } from "./flow_pipeline.ts";
export {
  type CidrWords,
  endpointsMatch,
  FLOW_SORTS,
  type FlowFilter,
  type FlowPage,
  type FlowQuery,
  type FlowSort,
  type IpWords,
  type PageKey,
  queryFlows,
  type SortOrder,
  TopK,
} from "./flow_query.ts";
export { FlowTable } from "./flow_table.ts";
export { queryFlowsMany } from "./flow_query_many.ts";
export { localHosts } from "./local_hosts.ts";
export { inNetwork } from "./flow_query.ts";
export {
  type AddressNamer,
  FlowVisibility,
  type FlowVisibilityJson,
  flowVisibilityJson,
  hostTcpHealth,
  type HostTcpHealthJson,
  NAME_SOURCES,
  NameSource,
  visibilityOf,
} from "./flow_visibility.ts";
export { FlowOrigins, MAX_EXPORTER_IDS, RecordDirection, type RecordOriginColumns } from "./flow_origins.ts";
export { type RecordRows } from "./flow_table.ts";
export {
  ATTACK_SIGNALS,
  AttackSignal,
  attackSignalNames,
  type BlocklistHitJson,
  FlowThreats,
  type FlowThreatsJson,
  threatsOf,
} from "./flow_threats.ts";
