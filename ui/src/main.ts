/**
 * The dashboard's entry point (bundled by ui/build.ts): restores the session, follows the hash route and
 * renders the app into #app.
 *
 * @module
 */
import { render } from "preact";
import { App } from "./app.ts";
import { initThresholds } from "./components/util_bar.ts";
import { html } from "./html.ts";
import { startRouter } from "./router.ts";
import { loadSession, session } from "./session.ts";

initThresholds();
session.value = loadSession();
startRouter();
const root = document.getElementById("app")!;
// The "Loading Flintnet…" placeholder is static HTML, not Preact's: it goes before the first render.
root.textContent = "";
render(html`<${App} />`, root);
