/**
 * Port scans and host sweeps. A source that probed at least `ports` distinct destination ports, or
 * `hosts` distinct hosts, in one minute is reported with exact counts (a probe: a TCP SYN never
 * followed by an ACK, so a half-open `nmap -sS` probe of one packet counts; a UDP datagram nobody
 * answered; an ICMP echo or timestamp request; an ARP request). A slow scan, spread so that no minute
 * reaches the threshold, is caught by the sliding window (scan_window.ts): the distinct ports or hosts
 * of the last `windowMinutes` minutes, estimated from per-minute sketches.
 */
import type { AdvisoryType } from "../events/mod.ts";
import type { Analyzer, Finding, MinuteInput } from "./analyzer.ts";
import { ScanWindow } from "./scan_window.ts";
import { count } from "./services.ts";

/** Thresholds (FLINTNET_SCAN_THRESHOLD) and the window (FLINTNET_SCAN_WINDOW). */
export interface ScanOptions {
  /** Distinct destination ports a source probes to be scanning. @default 500 */
  ports: number;
  /** Distinct hosts a source probes to be sweeping. @default 100 */
  hosts: number;
  /** Minutes of the sliding window for slow scans. @default 15 */
  windowMinutes: number;
  /** Sources the window remembers. @default 4096 */
  maxSources?: number;
  /** Sources never reported: the appliance's own addresses (its discovery sweeps are its job). */
  ignore?: ReadonlySet<string>;
}

/** Port scans and host sweeps, fast and slow. */
export class ScanAnalyzer implements Analyzer {
  readonly name = "scan";
  readonly types: readonly AdvisoryType[] = ["port_scan", "host_sweep"];
  readonly resolveAfterRuns = 2;
  readonly window: ScanWindow;
  #o: ScanOptions;

  constructor(o: ScanOptions) {
    this.#o = o;
    this.window = new ScanWindow(Math.max(1, o.windowMinutes), o.maxSources ?? 4096);
  }

  /**
   * The fewest distinct ports or hosts of a source's minute that this analyzer does anything with (the
   * window's bar or the threshold, whichever is lower): sources below it need not be handed in.
   */
  get minProbeDistinct(): number {
    const n = this.window.minutes;
    return Math.min(this.#minPorts(n), this.#minHosts(n), this.#o.ports, this.#o.hosts);
  }

  #minPorts(n: number): number {
    return Math.max(2, Math.ceil(this.#o.ports / n / 2));
  }

  #minHosts(n: number): number {
    return Math.max(2, Math.ceil(this.#o.hosts / n / 2));
  }

  analyze(m: MinuteInput): Finding[] {
    const minute = Math.floor(m.summary.minuteMs / 60_000);
    const out: Finding[] = [];
    const fast = new Set<string>();
    const span = Math.round((m.endMs - m.summary.minuteMs) / 1000);
    const window = {
      minute_start: new Date(m.summary.minuteMs).toISOString(),
      minute_end: new Date(m.endMs).toISOString(),
    };
    // A source probing fewer than half the ports (hosts) a minute that the window needs on average to
    // reach the threshold cannot be a slow scan worth the window's memory: it is not tracked.
    const n = this.window.minutes;
    const minPorts = this.#minPorts(n), minHosts = this.#minHosts(n);
    for (const s of m.probes) {
      if (this.#o.ignore?.has(s.source)) continue;
      if (s.ports >= minPorts || s.hosts >= minHosts) {
        this.window.add(s.source, minute, s.portKeys, s.hostKeys, s.ports, s.hosts);
      }
      const evidence = {
        ...window,
        ports: s.ports,
        hosts: s.hosts,
        probes: s.probes,
        top_target: s.topTarget,
        top_target_ports: s.topTargetPorts,
        port_sample: s.portSample,
        host_sample: s.hostSample,
        threshold_ports: this.#o.ports,
        threshold_hosts: this.#o.hosts,
      };
      if (s.ports >= this.#o.ports) {
        fast.add(`port_scan|${s.source}`);
        const target = s.topTarget && s.topTargetPorts >= s.ports * 0.9 ? ` on ${s.topTarget}` : "";
        out.push({
          type: "port_scan",
          key: s.source,
          severity: "warning",
          subject: s.source,
          subject_kind: "host",
          ip: s.source,
          summary: `${s.source} contacted ${
            count(s.ports)
          } unique ports${target} in ${span} s — likely a port scan.`,
          action: `Find out what runs on ${s.source} and who uses it; unless it is an authorised scanner, ` +
            "isolate it and check it for malware.",
          evidence,
        });
      }
      if (s.hosts >= this.#o.hosts) {
        fast.add(`host_sweep|${s.source}`);
        out.push({
          type: "host_sweep",
          key: s.source,
          severity: "warning",
          subject: s.source,
          subject_kind: "host",
          ip: s.source,
          summary: `${s.source} probed ${
            count(s.hosts)
          } hosts in ${span} s — likely a host sweep (network discovery).`,
          action: `Check whether ${s.source} is an inventory or monitoring tool; if not, isolate it and ` +
            "check it for malware.",
          evidence,
        });
      }
    }
    // Slow ones: the window's distinct counts, for sources no single minute gave away.
    for (const [source, e] of this.window.estimates(minute)) {
      if (e.activeMinutes < 2) continue;
      const evidence = {
        window_minutes: n,
        active_minutes: e.activeMinutes,
        ports_estimate: e.ports,
        hosts_estimate: e.hosts,
        max_ports_in_a_minute: e.maxMinutePorts,
        max_hosts_in_a_minute: e.maxMinuteHosts,
        threshold_ports: this.#o.ports,
        threshold_hosts: this.#o.hosts,
      };
      if (e.ports >= this.#o.ports && !fast.has(`port_scan|${source}`)) {
        out.push({
          type: "port_scan",
          key: source,
          severity: "warning",
          subject: source,
          subject_kind: "host",
          ip: source,
          summary: `${source} contacted about ${count(e.ports)} unique ports over the last ${n} minutes ` +
            `(no more than ${count(e.maxMinutePorts)} in any minute) — likely a slow port scan.`,
          action: `A slow scan is made to go unnoticed: find out what runs on ${source}; unless it is an ` +
            "authorised scanner, isolate it and check it for malware.",
          evidence,
        });
      }
      if (e.hosts >= this.#o.hosts && !fast.has(`host_sweep|${source}`)) {
        out.push({
          type: "host_sweep",
          key: source,
          severity: "warning",
          subject: source,
          subject_kind: "host",
          ip: source,
          summary: `${source} probed about ${count(e.hosts)} hosts over the last ${n} minutes ` +
            `(no more than ${count(e.maxMinuteHosts)} in any minute) — likely a slow host sweep.`,
          action: `Check whether ${source} is an inventory or monitoring tool; if not, isolate it and ` +
            "check it for malware.",
          evidence,
        });
      }
    }
    this.window.prune(minute);
    return out;
  }
}
