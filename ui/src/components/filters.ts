/**
 * A filter form whose state is the route's parameters: applying it changes the hash, so a filtered view
 * is a link that survives a refresh.
 *
 * @module
 */
import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { html } from "../html.ts";
import { navigate, route } from "../router.ts";

/** A field of the form. */
export interface Field {
  /** The parameter name. */
  name: string;
  /** Label text. */
  label: string;
  /** Input placeholder. */
  placeholder?: string;
  /**
   * Choices for a select ([value, label]); a text input without. A function gets the form's current
   * values: choices whose words depend on another field (the order's on the sort key).
   */
  options?: readonly [string, string][] | ((values: Record<string, string>) => readonly [string, string][]);
  /** Input type (text, number, datetime-local). */
  type?: string;
  /** A number input's step ("0.05": fractions allowed). */
  step?: string;
  /** A row of its own on a phone: choices too long for half of one ("Traffic spike (anomaly or advisory)"). */
  wide?: boolean;
}

/** The form. `path` is the screen's route. */
export function FilterForm(
  props: { path: string[]; fields: readonly Field[]; children?: ComponentChildren; testId?: string },
) {
  const params = route.value.params;
  const [draft, setDraft] = useState<Record<string, string>>(params);
  useEffect(() => setDraft(params), [JSON.stringify(params)]);
  const apply = (e: Event) => {
    e.preventDefault();
    const next: Record<string, string> = {};
    for (const f of props.fields) if (draft[f.name]?.trim()) next[f.name] = draft[f.name].trim();
    navigate(props.path, next);
  };
  const set = (name: string) => (e: Event) =>
    setDraft({ ...draft, [name]: (e.target as HTMLInputElement).value });
  return html`<form class="filters" onSubmit=${apply} data-testid=${props.testId} aria-label="Filters">
    ${
    props.fields.map((f) =>
      html`<label class=${f.wide ? "field wide" : "field"}><span>${f.label}</span>
      ${
        f.options
          ? html`<select name=${f.name} value=${draft[f.name] ?? ""} onChange=${set(f.name)}>
            ${
            (typeof f.options === "function" ? f.options(draft) : f.options).map(([v, l]) =>
              html`<option value=${v}>${l}</option>`
            )
          }</select>`
          : html`
            <input name=${f.name} type=${f.type ?? "text"} placeholder=${f.placeholder ??
              ""} step=${f.step} value=${draft[f.name] ?? ""}
              onInput=${set(f.name)} />
          `
      }
    </label>`
    )
  }
    <div class="filter-actions">
      <button type="submit" class="primary">Apply</button>
      <button type="button" onClick=${() => navigate(props.path, {})}>Clear</button>
      ${props.children}
    </div>
  </form>`;
}
