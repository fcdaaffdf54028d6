/**
 * What a sysDescr (RFC 3418 sysDescr.0) says about the box: manufacturer, model and software version.
 * sysDescr is free text, so this is one small parser per well-known format, tried in order; a string
 * no parser knows yields nulls, never a guess.
 */

/** What could be read from a sysDescr. */
export interface SysDescrInfo {
  /** Manufacturer named in the text. */
  vendor: string | null;
  /** Model or platform. */
  model: string | null;
  /** Operating system family ("IOS", "JUNOS", "RouterOS", "Linux", "Windows", …). */
  os: string | null;
  /** Version of that operating system or firmware. */
  osVersion: string | null;
}

/** One known format. */
interface DescrFormat {
  /** What the format is, for debugging. */
  id: string;
  /** Returns the fields, or null when `text` is not in this format. */
  parse(text: string): SysDescrInfo | null;
}

function info(
  vendor: string | null,
  model: string | null,
  os: string | null,
  osVersion: string | null,
): SysDescrInfo {
  return { vendor, model: model?.trim() || null, os, osVersion: osVersion?.trim() || null };
}

/** Cisco's "Version 15.2(4)E10," token, shared by IOS, IOS-XE, NX-OS and ASA. */
const CISCO_VERSION = /\bVersion\s+([0-9][\w.()-]*?)(?:,|\s|$)/;

const FORMATS: readonly DescrFormat[] = [
  {
    id: "cisco-nxos",
    // "Cisco NX-OS(tm) n9000, Software (n9000-dk9), Version 7.0(3)I7(6), RELEASE SOFTWARE …"
    parse(t) {
      const m = /^Cisco NX-OS\(tm\)\s+([\w-]+)/.exec(t);
      if (!m) return null;
      return info("Cisco", m[1], "NX-OS", CISCO_VERSION.exec(t)?.[1] ?? null);
    },
  },
  {
    id: "cisco-asa",
    // "Cisco Adaptive Security Appliance Version 9.8(2)"
    parse(t) {
      if (!/^Cisco Adaptive Security Appliance\b/.test(t)) return null;
      return info("Cisco", "ASA", "ASA", CISCO_VERSION.exec(t)?.[1] ?? null);
    },
  },
  {
    id: "cisco-ios",
    // IOS:    "Cisco IOS Software, C2960 Software (C2960-LANBASEK9-M), Version 12.2(55)SE5, RELEASE SOFTWARE (fc1)"
    // IOS-XE: "Cisco IOS Software [Denali], Catalyst L3 Switch Software (CAT3K_CAA-UNIVERSALK9-M), Version 16.3.5b, …"
    // 12.x:   "Cisco Internetwork Operating System Software \r\nIOS (tm) C2600 Software (C2600-IK9O3S3-M), Version 12.3(6), …"
    parse(t) {
      if (!/^Cisco (?:IOS|Internetwork Operating System)/.test(t)) return null;
      const platform =
        /(?:Cisco IOS Software(?: \[[^\]]*\])?,|IOS \(tm\))\s+(.+?)\s+Software\s+\(/.exec(t)?.[1] ??
          null;
      const xe = /\bIOS[- ]XE\b/.test(t) || /\[[A-Z][a-z]+\]/.test(t) || /_IOSXE|IOSD/.test(t);
      return info("Cisco", platform, xe ? "IOS-XE" : "IOS", CISCO_VERSION.exec(t)?.[1] ?? null);
    },
  },
  {
    id: "juniper-junos",
    // "Juniper Networks, Inc. srx220h internet router, kernel JUNOS 12.1X45-D15.5 #0: 2013-09-19 07:42:15 UTC …"
    // "Juniper Networks, Inc. ex2200-24t-4g Ethernet Switch, kernel JUNOS 12.3R6.6, Build date: …"
    parse(t) {
      const m = /^Juniper Networks, Inc\.\s+(\S+)/.exec(t);
      if (!m) return null;
      return info("Juniper Networks", m[1], "JUNOS", /\bJUNOS\s+([\w.-]+?)(?:[,\s]|$)/.exec(t)?.[1] ?? null);
    },
  },
  {
    id: "fortinet",
    // "FortiGate-60E v6.2.3,build1066,191219 (GA)"; FortiSwitch and FortiAP use the same shape.
    parse(t) {
      const m = /^(Forti(?:Gate|Wifi|Switch|AP)[\w-]*)(?:\s+v(\d[\w.]*))?/i.exec(t);
      if (!m) return null;
      return info("Fortinet", m[1], "FortiOS", m[2] ?? null);
    },
  },
  {
    id: "paloalto-panos",
    // "Palo Alto Networks PA-3000 series firewall"
    parse(t) {
      const m = /^Palo Alto Networks\s+(.+?)(?:\s+series)?\s+firewall\b/i.exec(t);
      if (!m) return null;
      return info("Palo Alto Networks", m[1], "PAN-OS", null);
    },
  },
  {
    id: "sonicwall-sonicos",
    // "SonicWALL NSA 2600 (SonicOS Enhanced 6.2.5.1-26n)"
    parse(t) {
      const m = /^SonicWALL\s+(.+?)\s*\(SonicOS(?:\s+\w+)?\s+([\w.-]+)\)/i.exec(t);
      if (!m) return /^SonicWALL\b/i.test(t) ? info("SonicWall", null, "SonicOS", null) : null;
      return info("SonicWall", m[1], "SonicOS", m[2]);
    },
  },
  {
    id: "mikrotik-routeros",
    // "RouterOS RB4011iGS+" (the board name; the version is in MIKROTIK-MIB, not here)
    parse(t) {
      const m = /^RouterOS\s+(\S+)/.exec(t);
      if (!m) return null;
      return info("MikroTik", m[1], "RouterOS", null);
    },
  },
  {
    id: "hp-procurve",
    // "HP J9773A 2530-24G-PoEP Switch, revision YA.16.10.0009, ROM YA.15.20 (/ws/swbuildm…)"
    // "ProCurve J9019B Switch 2510B-24, revision Q.11.17, ROM Q.10.02 (/sw/code/build/harp(bh2))"
    // "Aruba JL258A 2930F-8G-PoE+-2SFP+ Switch, revision WC.16.10.0009, ROM WC.16.01.0008"
    parse(t) {
      const m =
        /^(HP|HPE|Aruba|ProCurve|HP ProCurve|Hewlett-Packard)\s+(J[A-Z]?\d{3,4}[A-Z]?)\s+(?:(\S+)\s+Switch|Switch\s+([^,]+)),\s*revision\s+([\w.]+)/
          .exec(t);
      if (!m) return null;
      const vendor = m[1] === "Aruba" ? "Aruba" : "HP";
      return info(vendor, `${m[2]} ${m[3] ?? m[4]}`, "ArubaOS-Switch", m[5]);
    },
  },
  {
    id: "arista-eos",
    // "Arista Networks EOS version 4.28.3M running on an Arista Networks DCS-7050SX3-48YC8"
    parse(t) {
      const m = /^Arista Networks EOS version\s+(\S+)(?:\s+running on an? Arista Networks\s+(\S+))?/.exec(t);
      if (!m) return null;
      return info("Arista Networks", m[2] ?? null, "EOS", m[1]);
    },
  },
  {
    id: "aruba-os",
    // Instant AP: "ArubaOS (MODEL: 315), Version 8.6.0.4-8.6.0.4"; controller: "ArubaOS (MODEL: Aruba7010-US), Version 8.6.0.4"
    parse(t) {
      const m = /^ArubaOS\s+\(MODEL:\s*([^)]+)\),\s*Version\s+([\w.-]+)/.exec(t);
      if (!m) return null;
      return info("Aruba", m[1], "ArubaOS", m[2]);
    },
  },
  {
    id: "ubiquiti-edgeos",
    // "EdgeOS v1.10.11.5274269.200221.1028"
    parse(t) {
      const m = /^EdgeOS\s+v?(\S+)/.exec(t);
      if (!m) return null;
      return info("Ubiquiti", null, "EdgeOS", m[1]);
    },
  },
  {
    id: "windows",
    // "Hardware: Intel64 Family 6 Model 85 Stepping 7 AT/AT COMPATIBLE - Software: Windows Version 6.3 (Build 17763 Multiprocessor Free)"
    parse(t) {
      const m = /Software: Windows(?: \w+)* Version\s+([\d.]+)(?:\s+\(Build\s+(\d+))?/.exec(t);
      if (!m) return null;
      return info("Microsoft", null, "Windows", m[2] ? `${m[1]} (Build ${m[2]})` : m[1]);
    },
  },
  {
    id: "brother",
    // "Brother NC-8300h, Firmware Ver.1.14  (14.11.06),MID 8C5-F01,FID 2"
    parse(t) {
      const m = /^Brother\s+([^,]+)(?:,\s*Firmware Ver\.\s*([\w.]+))?/.exec(t);
      if (!m) return null;
      return info("Brother", m[1], null, m[2] ?? null);
    },
  },
  {
    id: "hp-jetdirect",
    // "HP ETHERNET MULTI-ENVIRONMENT,ROM none,JETDIRECT,JD153,EEPROM JSI23900012,CIDATE 03/07/2019"
    parse(t) {
      if (!/^HP ETHERNET MULTI-ENVIRONMENT/.test(t)) return null;
      return info("HP", null, "JetDirect", /,EEPROM\s+([^,]+)/.exec(t)?.[1] ?? null);
    },
  },
  {
    id: "hp-printer",
    // "HP LaserJet Pro M404n" / "HP Color LaserJet MFP M477fdw"
    parse(t) {
      const m =
        /^(?:HP|Hewlett-Packard)\s+((?:Color\s+)?(?:LaserJet|OfficeJet|PageWide|DesignJet|DeskJet)\b[^,;]*)/i
          .exec(t);
      if (!m) return null;
      return info("HP", m[1], null, null);
    },
  },
  {
    id: "lexmark",
    // "Lexmark MS812 version LW60.TU.P242 kernel 3.0.0 All-N-1"
    parse(t) {
      const m = /^Lexmark\s+(\S+)(?:\s+version\s+(\S+))?/.exec(t);
      if (!m) return null;
      return info("Lexmark", m[1], null, m[2] ?? null);
    },
  },
  {
    id: "ricoh",
    // "RICOH MP C3004 1.10 / RICOH Network Printer C model / RICOH Network Scanner C model / …"
    parse(t) {
      const m = /^RICOH\s+(.+?)(?:\s+(\d+\.\d+))?\s*(?:\/|$)/.exec(t);
      if (!m) return null;
      return info("Ricoh", m[1], null, m[2] ?? null);
    },
  },
  {
    id: "canon",
    // "Canon iR-ADV C5535 /P"
    parse(t) {
      const m = /^Canon\s+(.+?)(?:\s+\/P)?$/m.exec(t);
      if (!m) return null;
      return info("Canon", m[1], null, null);
    },
  },
  {
    id: "xerox",
    // "Xerox WorkCentre 7845 v1 Multifunction System; System Software 073.040.075.34540, ESS 073.040.75.34540, …"
    parse(t) {
      const m = /^Xerox\s+([^;]+?)(?:\s+v\d+)?(?:\s+Multifunction System)?(?:;|$)/i.exec(t);
      if (!m) return null;
      return info("Xerox", m[1], null, /System Software\s+([\w.]+)/.exec(t)?.[1] ?? null);
    },
  },
  {
    id: "linux",
    // Net-SNMP on Linux prints uname: "Linux host 6.1.0-18-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01) x86_64"
    // UniFi APs leave the host name out: "Linux 3.3.8 #1 Wed Jan 18 09:26:53 PST 2017 mips"
    parse(t) {
      const m = /^Linux\s+(?:(\S+)\s+)?(\d+\.\d+[\w.+~-]*)/.exec(t);
      if (!m) return null;
      return info(null, null, "Linux", m[2]);
    },
  },
  {
    id: "bsd",
    // "FreeBSD fw.example.net 13.2-RELEASE-p4 FreeBSD 13.2-RELEASE-p4 amd64" (pfSense, OPNsense, TrueNAS CORE)
    parse(t) {
      const m = /^(FreeBSD|OpenBSD|NetBSD)\s+\S+\s+(\d[\w.-]*)/.exec(t);
      if (!m) return null;
      return info(null, null, m[1], m[2]);
    },
  },
];

/** Reads vendor, model, OS and version out of a sysDescr; unknown formats give all nulls. */
export function parseSysDescr(sysDescr: string): SysDescrInfo {
  const text = sysDescr.trim();
  for (const f of FORMATS) {
    const r = f.parse(text);
    if (r) return r;
  }
  return { vendor: null, model: null, os: null, osVersion: null };
}
