/**
 * The ground floor of network knowledge: IPv4/IPv6 addresses as numbers and text, CIDR networks, MAC
 * addresses, big-endian byte readers and the libc FFI table (sockets, mmap, poll). Imports only base/.
 * The only file other folders import.
 */
export {
  compareIps,
  formatIp,
  formatIpv4,
  formatIpv6,
  formatMac,
  type IpWords,
  parseIp,
  parseIpv4,
  sortByIp,
} from "./address.ts";
export { mac48, u16, u32 } from "./bytes.ts";
export {
  type Cidr,
  cidrContains,
  cidrContainsWords,
  cidrText,
  DEFAULT_MAX_HOSTS,
  ipv4HostCount,
  ipv4Hosts,
  parseCidr,
  tryParseCidr,
} from "./cidr.ts";
export { check, cString, Errno, errnoName, lastErrno, libc, LibcError, trimMalloc } from "./libc_ffi.ts";
export { releaseExecutablePages } from "./executable_pages.ts";
export { isLocallyAdministered, isMulticast, macHexFragment, normalizeMac, parseMac } from "./mac.ts";
export { shutdownTcpSocket } from "./socket_shutdown.ts";
export { IpRangeSet, IpRangeSetBuilder } from "./ip_ranges.ts";
