// The scenario as text: what the scenario editor shows and how it checks what is typed — as
// JSON first (with the line and column of a syntax error), then by the engine's own rules.

import { jsonSyntaxError } from './json-error.ts';
import { defaultScenario, parseScenario, type Scenario } from '../../engine/kernel/scenario.ts';

/** The scenario as the editor shows it: the document's, or the default one for the CPU count. */
export function textOf(scenario: unknown, cpus: number): string {
  return remembered(texts, scenario, cpus, () => JSON.stringify(scenario ?? defaultScenario(cpus), null, 2));
}

// A document's scenario is never changed in place (the store replaces it), so its text and its
// check are kept per object and CPU count: the panel's draft, its memo and the link's opening
// each asked for them, and for 10,000 tasks each asking cost 20–30 ms of one task.
const texts = new WeakMap<object, Map<number, string>>();
const checks = new WeakMap<object, Map<number, ScenarioCheck>>();

function remembered<T>(cache: WeakMap<object, Map<number, T>>, value: unknown, cpus: number, make: () => T): T {
  if (typeof value !== 'object' || value === null) return make();
  let perCpus = cache.get(value);
  if (!perCpus) cache.set(value, (perCpus = new Map()));
  const known = perCpus.get(cpus);
  if (known !== undefined) return known;
  const made = make();
  perCpus.set(cpus, made);
  return made;
}

/** Whether a scenario is the default one for the CPU count (stored as no scenario at all). */
export function isDefaultScenario(value: unknown, cpus: number): boolean {
  return JSON.stringify(value) === JSON.stringify(defaultScenario(cpus));
}

export type ScenarioCheck = { ok: true; value: Record<string, unknown> | undefined; scenario: Scenario } | { ok: false; error: string };

/** Checks the editor's text as the engine will: JSON first, then the scenario's own rules. */
export function checkScenarioText(text: string, cpus: number): ScenarioCheck {
  const syntax = jsonSyntaxError(text);
  if (syntax) return { ok: false, error: `line ${syntax.line}, column ${syntax.col}: ${syntax.message}` };
  return checkScenarioValue(JSON.parse(text), cpus);
}

/** Checks a scenario value by the engine's rules; undefined is the default scenario. */
export function checkScenarioValue(value: unknown, cpus: number): ScenarioCheck {
  return remembered(checks, value, cpus, () => checkValue(value, cpus));
}

function checkValue(value: unknown, cpus: number): ScenarioCheck {
  if (value === undefined) {
    const r = parseScenario(defaultScenario(cpus), cpus);
    return r.ok ? { ok: true, value: undefined, scenario: r.scenario } : { ok: false, error: r.error };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, error: 'the scenario must be a JSON object: { "tasks": [...], "cgroups": [...], ... }' };
  const r = parseScenario(value, cpus);
  if (!r.ok) return { ok: false, error: r.error };
  return { ok: true, value: value as Record<string, unknown>, scenario: r.scenario };
}

