/**
 * Printers and multifunction devices: HP (JetDirect, LaserJet, OfficeJet, PageWide, DesignJet), Brother,
 * Canon, Xerox, Ricoh, Kyocera, Lexmark, Epson, Konica Minolta, Sharp, OKI, Samsung, Toshiba TEC,
 * FUJIFILM (Fuji Xerox).
 *
 * Where the identifiers come from: HP's net-peripheral tree 1.3.6.1.4.1.11.2.3.9 (hpNetPeripheral, where
 * JetDirect print servers and HP printers put their sysObjectID); BROTHER-MIB's 2435.2.3.9.1 (Datadog
 * brother-net-printer); KYOCERA-MIB's 1347.41 (Datadog kyocera-printer); Ricoh's 367.1.1 with the
 * "… Network Printer C model / … Network Scanner C model" sysDescr (a published LibreNMS discovery log
 * of a Ricoh-made MP C2051); the IANA numbers of Xerox (253), Lexmark (641), Canon (1602), Seiko Epson
 * (1248), Konica Minolta (18334), Sharp (2385), Oki Data (2001), Tec Corporation (1129, Toshiba TEC) and
 * FUJIFILM Business Innovation (297, formerly Fuji Xerox), makers whose SNMP agents are their printers;
 * Samsung's printers answer under 1.3.6.1.4.1.236.11.5 (Samsung Electronics' printer tree). sysDescr formats: the JetDirect banner, "Brother NC-…, Firmware Ver.…", "Lexmark <model>
 * version <firmware> …", "RICOH <model> <version> / …", "Canon <model> /P", "Xerox <model> …; System
 * Software <version>, …" as these devices print them.
 */
import type { ProductDefinition } from "../definition.ts";

/** A maker whose enterprise's agents are printers: any sysObjectID under it, or its sysDescr form. */
export const PRINTERS: readonly ProductDefinition[] = [
  {
    id: "hp-printer",
    os: "JetDirect",
    vendor: "HP",
    type: "printer",
    match: [
      { sysObjectId: ["1.3.6.1.4.1.11.2.3.9"] },
      {
        sysDescr: String
          .raw`\bJETDIRECT\b|^HP (?:Color )?(?:LaserJet|OfficeJet|PageWide|DesignJet|DeskJet)\b`,
      },
    ],
    model: [{
      sysDescr: String
        .raw`^(?:HP|Hewlett-Packard)\s+((?:Color\s+)?(?:LaserJet|OfficeJet|PageWide|DesignJet|DeskJet)\b[^,;]*)`,
    }],
    version: [{ sysDescr: String.raw`,EEPROM\s+([^,]+)` }],
    examples: [{
      sysObjectId: "1.3.6.1.4.1.11.2.3.9.1",
      sysDescr: "HP ETHERNET MULTI-ENVIRONMENT,ROM none,JETDIRECT,JD153,EEPROM JSI23900012,CIDATE 03/07/2019",
      model: null,
      version: "JSI23900012",
    }],
  },
  {
    id: "brother-printer",
    os: "Firmware",
    vendor: "Brother",
    type: "printer",
    match: [{ sysObjectId: ["1.3.6.1.4.1.2435"] }, { sysDescr: String.raw`^Brother (?:NC-|HL-|MFC-|DCP-)` }],
    model: [{ sysDescr: String.raw`^Brother\s+([^,]+)` }],
    version: [{ sysDescr: String.raw`Firmware Ver\.\s*([\w.]+)` }],
    examples: [{
      sysObjectId: "1.3.6.1.4.1.2435.2.3.9.1",
      sysDescr: "Brother NC-8300h, Firmware Ver.1.14  (14.11.06),MID 8C5-F01,FID 2",
      model: "NC-8300h",
      version: "1.14",
    }],
  },
  {
    id: "canon-printer",
    os: "Canon",
    vendor: "Canon",
    type: "printer",
    match: [{ sysObjectId: ["1.3.6.1.4.1.1602"] }, {
      sysDescr: String.raw`^Canon (?:iR|MF|LBP|imageRUNNER)`,
    }],
    model: [{ sysDescr: String.raw`^Canon\s+(.+?)(?:\s+/P)?$` }],
    examples: [{
      sysObjectId: "1.3.6.1.4.1.1602",
      sysDescr: "Canon iR-ADV C5535 /P",
      model: "iR-ADV C5535",
      version: null,
    }],
  },
  {
    id: "xerox-printer",
    os: "System Software",
    vendor: "Xerox",
    type: "printer",
    match: [{ sysObjectId: ["1.3.6.1.4.1.253"] }, { sysDescr: String.raw`^(?:Fuji )?Xerox\s` }],
    model: [{ sysDescr: String.raw`^Xerox\s+([^;]+?)(?:\s+v\d+)?(?:\s+Multifunction System)?(?:;|$)` }],
    version: [{ sysDescr: String.raw`System Software\s+([\w.]+)` }],
    examples: [{
      sysObjectId: "1.3.6.1.4.1.253",
      sysDescr:
        "Xerox WorkCentre 7845 v1 Multifunction System; System Software 073.040.075.34540, ESS 073.040.75.34540, IOT 22.35.0, FIN C21.38.0, ADF 20.0.18, SJFI3.3.0, SSMI1.22.1",
      model: "WorkCentre 7845",
      version: "073.040.075.34540",
    }],
  },
  {
    id: "ricoh-printer",
    os: "Firmware",
    vendor: "Ricoh",
    type: "printer",
    match: [{ sysObjectId: ["1.3.6.1.4.1.367"] }, { sysDescr: String.raw`Network Printer C model` }],
    model: [{ sysDescr: String.raw`^(?:RICOH|NRG|Savin|Lanier|Gestetner)\s+(.+?)\s+\d+\.\d+\s*/` }],
    version: [{ sysDescr: String.raw`^\S+\s+.+?\s+(\d+\.\d+)\s*/` }],
    examples: [{
      sysObjectId: "1.3.6.1.4.1.367.1.1",
      sysDescr: "NRG MP C2051 2.06 / NRG Network Printer C model / NRG Network Scanner C model",
      model: "MP C2051",
      version: "2.06",
    }, {
      sysObjectId: "",
      sysDescr:
        "RICOH MP C3004 1.10 / RICOH Network Printer C model / RICOH Network Scanner C model / RICOH Network Facsimile C model",
      model: "MP C3004",
      version: "1.10",
    }],
  },
  {
    id: "kyocera-printer",
    os: "Kyocera",
    vendor: "Kyocera",
    type: "printer",
    match: [{ sysObjectId: ["1.3.6.1.4.1.1347"] }, {
      sysDescr: String.raw`^KYOCERA (?:Document Solutions|MITA)`,
    }],
    examples: [{ sysObjectId: "1.3.6.1.4.1.1347.41", sysDescr: "", model: null, version: null }],
  },
  {
    id: "lexmark-printer",
    os: "Firmware",
    vendor: "Lexmark",
    type: "printer",
    match: [{ sysObjectId: ["1.3.6.1.4.1.641"] }, { sysDescr: String.raw`^Lexmark\s` }],
    model: [{ sysDescr: String.raw`^Lexmark\s+(\S+)` }],
    version: [{ sysDescr: String.raw`^Lexmark\s+\S+\s+version\s+(\S+)` }],
    examples: [{
      sysObjectId: "1.3.6.1.4.1.641",
      sysDescr: "Lexmark MS812 version LW60.TU.P242 kernel 3.0.0 All-N-1",
      model: "MS812",
      version: "LW60.TU.P242",
    }],
  },
  {
    id: "epson-printer",
    os: "Epson",
    vendor: "Epson",
    type: "printer",
    match: [{ sysObjectId: ["1.3.6.1.4.1.1248"] }, { sysDescr: String.raw`^EPSON\s` }],
    examples: [{ sysObjectId: "1.3.6.1.4.1.1248", sysDescr: "", model: null, version: null }],
  },
  {
    id: "konica-minolta-printer",
    os: "Konica Minolta",
    vendor: "Konica Minolta",
    type: "printer",
    match: [{ sysObjectId: ["1.3.6.1.4.1.18334"] }, { sysDescr: String.raw`^KONICA MINOLTA\s` }],
    model: [{ sysDescr: String.raw`^KONICA MINOLTA\s+(\S+(?:\s+\S+)?)` }],
    examples: [{ sysObjectId: "1.3.6.1.4.1.18334", sysDescr: "", model: null, version: null }],
  },
  {
    id: "sharp-printer",
    os: "Sharp",
    vendor: "Sharp",
    type: "printer",
    match: [{ sysObjectId: ["1.3.6.1.4.1.2385"] }, { sysDescr: String.raw`^SHARP MX-` }],
    model: [{ sysDescr: String.raw`^SHARP\s+(MX-\S+)` }],
    examples: [{ sysObjectId: "1.3.6.1.4.1.2385", sysDescr: "", model: null, version: null }],
  },
  {
    id: "oki-printer",
    os: "OKI",
    vendor: "OKI",
    type: "printer",
    match: [{ sysObjectId: ["1.3.6.1.4.1.2001"] }],
    examples: [{ sysObjectId: "1.3.6.1.4.1.2001", sysDescr: "", model: null, version: null }],
  },
  {
    id: "samsung-printer",
    os: "Samsung",
    vendor: "Samsung",
    type: "printer",
    match: [{ sysObjectId: ["1.3.6.1.4.1.236.11.5"] }],
    examples: [{ sysObjectId: "1.3.6.1.4.1.236.11.5.1", sysDescr: "", model: null, version: null }],
  },
  {
    id: "toshiba-printer",
    os: "Toshiba TEC",
    vendor: "Toshiba TEC",
    type: "printer",
    match: [{ sysObjectId: ["1.3.6.1.4.1.1129"] }],
    examples: [{ sysObjectId: "1.3.6.1.4.1.1129", sysDescr: "", model: null, version: null }],
  },
  {
    id: "fujifilm-printer",
    os: "FUJIFILM",
    vendor: "FUJIFILM Business Innovation",
    type: "printer",
    match: [{ sysObjectId: ["1.3.6.1.4.1.297"] }],
    examples: [{ sysObjectId: "1.3.6.1.4.1.297", sysDescr: "", model: null, version: null }],
  },
];
