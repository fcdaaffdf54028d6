/**
 * The app: the login screen without a session; with one, the shell around the screen the hash route
 * names, the live stream, and the first loads every screen shares (anomalies, devices; whether the
 * agent has advisories).
 *
 * @module
 */
import { batch } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import { getJson, setUnauthorizedHandler } from "./api.ts";
import { Shell } from "./components/shell.ts";
import { html } from "./html.ts";
import {
  addStatsSample,
  advisoriesServed,
  applyEvents,
  devices,
  devicesLoaded,
  latestStats,
  MAX_RECENT,
  recentAnomalies,
  resetLiveState,
  revisions,
  statsSeries,
} from "./live_state.ts";
import { route } from "./router.ts";
import { AdvisoriesScreen } from "./screens/advisories.ts";
import { AnomaliesScreen } from "./screens/anomalies.ts";
import { DashboardScreen } from "./screens/dashboard.ts";
import { DeviceDetailScreen } from "./screens/device_detail.ts";
import { DevicesScreen } from "./screens/devices.ts";
import { FlowGraphScreen } from "./screens/flow_graph.ts";
import { FlowsScreen } from "./screens/flows.ts";
import { loginNotice, LoginScreen } from "./screens/login.ts";
import { SecurityScreen } from "./screens/security.ts";
import { SettingsScreen } from "./screens/settings.ts";
import { TopologyScreen } from "./screens/topology.ts";
import { logout, type Session, session } from "./session.ts";
import { LiveStream } from "./stream.ts";
import type { AnomaliesPage, DeviceJson } from "./types.ts";

/** What the shared lists start from; the stream keeps them current after. */
async function loadShared(s: Session): Promise<void> {
  const [stats, anomalies, devs, openapi] = await Promise.all([
    // The figures at once, not at the first stats event (up to 2 s later).
    getJson<Record<string, unknown>>(s, "/stats").catch(() => null),
    getJson<AnomaliesPage>(s, "/anomalies", { limit: MAX_RECENT }).catch(() => null),
    getJson<{ devices: DeviceJson[] }>(s, "/devices").catch(() => null),
    getJson<{ paths?: Record<string, unknown> }>(s, "/openapi.json").catch(() => null),
  ]);
  // An agent older than the analysis has no GET /advisories: its OpenAPI document says so.
  const served = Boolean(openapi?.paths?.["/advisories"]);
  batch(() => {
    if (stats && latestStats.value === null) {
      latestStats.value = stats;
      statsSeries.value = addStatsSample(statsSeries.value, stats, Date.now());
    }
    if (anomalies) {
      // Events that arrived while loading are newer than the page: they win, the page fills in the rest.
      const streamed = recentAnomalies.value;
      const episodes = new Set(streamed.map((a) => a.episode_id));
      recentAnomalies.value = streamed.concat(
        anomalies.anomalies.filter((a) => !episodes.has(a.episode_id)),
      ).slice(0, MAX_RECENT);
    }
    if (devs) {
      const map = new Map(devices.value);
      for (const d of devs.devices) if (!map.has(d.ip)) map.set(d.ip, d);
      devices.value = map;
      devicesLoaded.value = true;
    }
    if (openapi) advisoriesServed.value = served;
  });
}

function Screen() {
  const [first, second] = route.value.path;
  switch (first) {
    case undefined:
    case "":
      return html`<${DashboardScreen} />`;
    case "flows":
      return html`<${FlowsScreen} />`;
    case "graph":
      return html`<${FlowGraphScreen} />`;
    case "devices":
      return second ? html`<${DeviceDetailScreen} key=${second} ip=${second} />` : html`<${DevicesScreen} />`;
    case "anomalies":
      return html`<${AnomaliesScreen} selectedId=${second} />`;
    case "security":
      return html`<${SecurityScreen} />`;
    case "topology":
      return html`<${TopologyScreen} />`;
    case "advisories":
      return html`<${AdvisoriesScreen} />`;
    case "settings":
      return html`<${SettingsScreen} />`;
    default:
      return html`
        <section class="screen">
          <h1>Not found</h1>
          <p>There is no screen “${first}”. <a href="#/">Dashboard</a></p>
        </section>
      `;
  }
}

function LoggedIn(props: { s: Session }) {
  const stream = useRef<LiveStream | null>(null);
  useEffect(() => {
    const live = new LiveStream(props.s, applyEvents);
    stream.current = live;
    live.start();
    void loadShared(props.s);
    setUnauthorizedHandler(() => {
      loginNotice.value = "The agent refused the saved token (was it changed?). Log in again.";
      logout();
    });
    return () => {
      setUnauthorizedHandler(null);
      live.stop();
      resetLiveState();
    };
  }, [props.s.url, props.s.token]);
  // A reconnection after a gap brings the shared lists up to date.
  useEffect(() => {
    if (revisions.anomalies.value > 0) void loadShared(props.s);
  }, [revisions.anomalies.value]);
  return html`
    <${Shell} onLogout=${() => logout()} onRetry=${() => stream.current?.retryNow()}>
      <${Screen} />
      </${Shell}>
  `;
}

/** The root component. */
export function App() {
  const s = session.value;
  useEffect(() => {
    document.title = s ? `Flintnet · ${new URL(s.url).host}` : "Flintnet";
  }, [s?.url]);
  return s ? html`<${LoggedIn} s=${s} />` : html`<${LoginScreen} />`;
}
