/**
 * Wireless LAN makers not covered by a switch/router family file: Ruckus, Aerohive (Extreme), Mist
 * (Juniper), Cambium, EnGenius, Grandstream GWN, Apple AirPort.
 *
 * Where the identifiers come from: the IANA Private Enterprise Numbers of Ruckus Wireless (25053; its
 * ZoneDirector controllers answer 25053.3.1.5, LibreNMS ruckuswireless), Aerohive Networks (26928),
 * Mist Systems (52845), Cambium Networks (17713) and EnGenius Networks (44194) — makers whose SNMP
 * agents are access points and their controllers; Aerohive's "HiveAP…, HiveOS …" sysDescr; Grandstream's
 * (42397) GWN76xx/75xx access-point models; the AirPort banner FusionInventory's published sysDescr
 * dictionary lists ("Apple AirPort - Apple Computer, 2006…").
 */
import type { ProductDefinition } from "../definition.ts";

export const WIRELESS: readonly ProductDefinition[] = [
  {
    id: "ruckus-wireless",
    os: "Ruckus",
    vendor: "Ruckus",
    type: "access_point",
    match: [{ sysObjectId: ["1.3.6.1.4.1.25053"] }, {
      sysDescr: String.raw`^Ruckus (?:Wireless )?(?:ZD|R\d{3}|T\d{3})`,
    }],
    examples: [{ sysObjectId: "1.3.6.1.4.1.25053.3.1.5", sysDescr: "", model: null, version: null }],
  },
  {
    id: "aerohive-hiveos",
    os: "HiveOS",
    vendor: "Aerohive",
    type: "access_point",
    match: [{ sysObjectId: ["1.3.6.1.4.1.26928"] }, { sysDescr: String.raw`^(?:HiveAP|AP)\d+.*\bHiveOS\b` }],
    model: [{ sysDescr: String.raw`^((?:HiveAP|AP)\d+\w*)` }],
    version: [{ sysDescr: String.raw`\bHiveOS ([\w.]+)` }],
    examples: [{
      sysObjectId: "1.3.6.1.4.1.26928",
      sysDescr: "HiveAP230, HiveOS 8.2r1 build-191045",
      model: "HiveAP230",
      version: "8.2r1",
    }],
  },
  {
    id: "mist-ap",
    os: "Mist",
    vendor: "Juniper Mist",
    type: "access_point",
    match: [{ sysObjectId: ["1.3.6.1.4.1.52845"] }],
    examples: [{ sysObjectId: "1.3.6.1.4.1.52845", sysDescr: "", model: null, version: null }],
  },
  {
    id: "cambium-wireless",
    os: "Cambium",
    vendor: "Cambium Networks",
    type: "access_point",
    match: [{ sysObjectId: ["1.3.6.1.4.1.17713"] }],
    examples: [{ sysObjectId: "1.3.6.1.4.1.17713", sysDescr: "", model: null, version: null }],
  },
  {
    id: "engenius-ap",
    os: "EnGenius",
    vendor: "EnGenius",
    type: "access_point",
    match: [{ sysObjectId: ["1.3.6.1.4.1.44194"] }],
    examples: [{ sysObjectId: "1.3.6.1.4.1.44194", sysDescr: "", model: null, version: null }],
  },
  {
    id: "grandstream-gwn",
    os: "Grandstream",
    vendor: "Grandstream",
    type: "access_point",
    match: [{ sysObjectId: ["1.3.6.1.4.1.42397"], sysDescr: String.raw`^(?:Grandstream )?GWN7[56]\d` }],
    model: [{ sysDescr: String.raw`^(?:Grandstream )?(GWN\d+\w*)` }],
    examples: [{ sysObjectId: "1.3.6.1.4.1.42397", sysDescr: "GWN7615", model: "GWN7615", version: null }],
  },
  {
    id: "apple-airport",
    os: "AirPort",
    vendor: "Apple",
    type: "access_point",
    match: [{ sysDescr: String.raw`^Apple AirPort\b` }],
    examples: [{
      sysObjectId: "",
      sysDescr: "Apple AirPort - Apple Computer, 2006.  All rights Reserved",
      model: null,
      version: null,
    }],
  },
];
