/**
 * What a device is (router, switch, firewall, printer…), which rule said so, and its vendor, model and
 * OS version, from what SNMP and capture tell about it. The only file other folders import.
 */
export { classify } from "./classify.ts";
