/**
 * Words for numbers in advisories: service names of well-known ports (IANA service name registry,
 * https://www.iana.org/assignments/service-names-port-numbers), byte counts and percentages.
 */

const TCP: Record<number, string> = {
  20: "FTP data",
  21: "FTP",
  22: "SSH",
  23: "telnet",
  25: "SMTP",
  53: "DNS",
  80: "HTTP",
  110: "POP3",
  143: "IMAP",
  139: "NetBIOS",
  389: "LDAP",
  443: "HTTPS",
  445: "SMB",
  465: "SMTPS",
  512: "rexec",
  513: "rlogin",
  514: "rsh",
  587: "mail submission",
  636: "LDAPS",
  993: "IMAPS",
  995: "POP3S",
  1433: "MS SQL",
  3306: "MySQL",
  3389: "RDP",
  5432: "PostgreSQL",
  5900: "VNC",
  8080: "HTTP (8080)",
  8443: "HTTPS (8443)",
};
const UDP: Record<number, string> = {
  53: "DNS",
  67: "DHCP",
  68: "DHCP",
  69: "TFTP",
  123: "NTP",
  161: "SNMP",
  162: "SNMP traps",
  443: "QUIC",
  514: "syslog",
  1900: "SSDP",
  5353: "mDNS",
};

/** The service of a flow: the named port of the two, else the lower one ("TCP 8123"). */
export function serviceOf(proto: number, srcPort: number, dstPort: number): string {
  const names = proto === 6 ? TCP : proto === 17 ? UDP : undefined;
  if (names === undefined) return proto === 1 ? "ICMP" : proto === 58 ? "ICMPv6" : `protocol ${proto}`;
  const label = proto === 6 ? "TCP" : "UDP";
  return names[dstPort] ?? names[srcPort] ?? `${label} ${Math.min(srcPort, dstPort)}`;
}

/** Octets in words: "512 B", "3.4 MB", "1.2 GB" (powers of 1000, as link speeds are). */
export function bytesText(n: number): string {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  return i === 0 ? `${Math.round(n)} B` : `${n.toFixed(n < 10 ? 1 : 0)} ${units[i]}`;
}

/** A whole number with thousands separators: 2847 → "2,847". */
export function count(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}
