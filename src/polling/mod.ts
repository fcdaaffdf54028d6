/**
 * One device's poll over SNMP: interfaces (IF-MIB, with counter wraps and agent restarts turned into
 * rates), CPU and memory (HOST-RESOURCES-MIB), the ARP table, and the capabilities (forwarding, bridging,
 * printing, LLDP) that classification reads. Shapes what it reads into the events/ JSON shapes.
 * The only file other folders import.
 */
export { type Capabilities, type LldpCapability, probeCapabilities } from "./capabilities.ts";
export { createDevicePollState, type DevicePollState, pollDevice } from "./poll_device.ts";
export type { PartResult, PollContext, PollPart } from "./poll_part.ts";
export { PortCounterBook } from "./port_counters.ts";
