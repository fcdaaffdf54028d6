/**
 * Device classification: the only file other folders import. What a device is (router, switch, …),
 * which rule said so and on what evidence, and its vendor, model and OS version.
 */
export { type Classification, classify, type ClassifyOptions, type DeviceFacts } from "./classify.ts";
export { DEFAULT_ENTERPRISES_PATH, type EnterpriseLookup, EnterpriseRegistry } from "./enterprises.ts";
