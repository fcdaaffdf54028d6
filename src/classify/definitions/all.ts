/**
 * Every built-in product definition, family by family. The order matters only between definitions of
 * equal specificity (see definition_table.ts); families list their most specific products first.
 */
import type { ProductDefinition } from "../definition.ts";
import { BSD_FIREWALLS } from "./bsd_firewalls.ts";
import { CISCO } from "./cisco.ts";
import { CISCO_SECURITY_WIRELESS } from "./cisco_security_wireless.ts";
import { DELL } from "./dell.ts";
import { DLINK } from "./dlink.ts";
import { FORTINET } from "./fortinet.ts";
import { HPE_ARUBA } from "./hpe_aruba.ts";
import { HYPERVISORS } from "./hypervisors.ts";
import { JUNIPER } from "./juniper.ts";
import { LINKSYS } from "./linksys.ts";
import { MIKROTIK } from "./mikrotik.ts";
import { NETGEAR } from "./netgear.ts";
import { OTHER_NETWORK } from "./other_network.ts";
import { PALO_ALTO } from "./paloalto.ts";
import { PHONES } from "./phones.ts";
import { PRINTERS } from "./printers.ts";
import { SECURITY_APPLIANCES } from "./security_appliances.ts";
import { SONICWALL_WATCHGUARD } from "./sonicwall_watchguard.ts";
import { STORAGE } from "./storage.ts";
import { TPLINK } from "./tplink.ts";
import { UBIQUITI } from "./ubiquiti.ts";
import { UNIX } from "./unix.ts";
import { UPS } from "./ups.ts";
import { WINDOWS } from "./windows.ts";
import { WIRELESS } from "./wireless.ts";
import { ZYXEL } from "./zyxel.ts";

/** The families, each a file of this folder. */
export const DEFINITION_FAMILIES: Readonly<Record<string, readonly ProductDefinition[]>> = {
  // Before cisco: a C9800 or an Aironet banner is an IOS one too, and between equals the earlier wins.
  cisco_security_wireless: CISCO_SECURITY_WIRELESS,
  cisco: CISCO,
  juniper: JUNIPER,
  hpe_aruba: HPE_ARUBA,
  dell: DELL,
  netgear: NETGEAR,
  tplink: TPLINK,
  dlink: DLINK,
  zyxel: ZYXEL,
  ubiquiti: UBIQUITI,
  mikrotik: MIKROTIK,
  fortinet: FORTINET,
  paloalto: PALO_ALTO,
  sonicwall_watchguard: SONICWALL_WATCHGUARD,
  security_appliances: SECURITY_APPLIANCES,
  bsd_firewalls: BSD_FIREWALLS,
  linksys: LINKSYS,
  storage: STORAGE,
  ups: UPS,
  printers: PRINTERS,
  windows: WINDOWS,
  hypervisors: HYPERVISORS,
  wireless: WIRELESS,
  phones: PHONES,
  other_network: OTHER_NETWORK,
  unix: UNIX,
};

/** Every definition, families in the order above (a new array each call; classify() keeps one table). */
export function allDefinitions(): ProductDefinition[] {
  return Object.values(DEFINITION_FAMILIES).flat();
}
