/**
 * The login screen: the agent's URL (this page's origin unless changed) and the API token, checked with
 * one authenticated request before the session is kept.
 *
 * @module
 */
import { signal } from "@preact/signals";
import { useState } from "preact/hooks";
import { ApiError, request } from "../api.ts";
import { html } from "../html.ts";
import { login, normalizeAgentUrl } from "../session.ts";

/** Why the user is on the login screen again (the agent refused the saved token). */
export const loginNotice = signal<string | null>(null);

/** The form. */
export function LoginScreen() {
  const [url, setUrl] = useState("");
  const [token, setToken] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    let agent: string;
    try {
      agent = normalizeAgentUrl(url, location.origin);
    } catch {
      setError(`"${url}" is not a URL: expected e.g. http://192.168.1.5:8480`);
      return;
    }
    if (token.trim() === "") {
      setError("Paste the API token.");
      return;
    }
    const s = { url: agent, token: token.trim() };
    setBusy(true);
    try {
      const res = await request(s, "GET", "/version", { quietUnauthorized: true });
      await res.body?.cancel();
      loginNotice.value = null;
      login(s);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  // The hidden username field: password managers (and Chromium's form check) want one beside a password;
  // the agent's URL is it, so a saved token is filed under the agent it opens. Not shown, not focusable.
  return html`
    <main class="login" id="main">
      <form class="login-card" onSubmit=${submit} aria-labelledby="login-title" data-testid="login-form">
          <h1 id="login-title"><span class="brand-mark" aria-hidden="true">F</span> Flintnet</h1>
          ${loginNotice.value && html`<p class="notice" role="status">${loginNotice.value}</p>`}
          <label for="login-url">Agent URL</label>
          <input id="login-url" name="url" type="url" inputmode="url" autocomplete="url"
            placeholder=${location.origin} value=${url} onInput=${(e: Event) =>
              setUrl((e.target as HTMLInputElement).value)} />
          <input name="username" type="text" autocomplete="username" hidden readonly tabindex="-1"
            aria-hidden="true" value=${url || location.origin} />
          <label for="login-token">API token</label>
          <input id="login-token" name="token" type="password" autocomplete="current-password" required
            value=${token} onInput=${(e: Event) => setToken((e.target as HTMLInputElement).value)} />
          <p class="hint">On the agent: <code>sudo cat /var/lib/flintnet/api-token</code>, or the${" "}<code>FLINTNET_API_TOKEN</code> you set.</p>
          ${error && html`<p class="form-error" role="alert" data-testid="login-error">${error}</p>`}
          <button type="submit" class="primary" disabled=${busy}>${busy ? "Checking…" : "Log in"}</button>
        </form>
    </main>
  `;
}
