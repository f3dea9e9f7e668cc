// Accessibility checks in the test page with axe-core, restricted to the WCAG 2.1 A and AA
// rules. axe-core is a UMD script that sets `window.axe`: it is loaded once as a classic
// script served from node_modules (web-test-runner serves the project root), which works
// where an ES import of a UMD file would not.
import type * as Axe from 'axe-core';

type AxeApi = typeof Axe;

/** The axe-core rule tags of WCAG 2.0 and 2.1, levels A and AA. */
export const WCAG21_AA_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

const AXE_URL = new URL('../../node_modules/axe-core/axe.min.js', import.meta.url).href;
let loading: Promise<AxeApi> | null = null;

/** Loads axe-core once into the page; resolves with `window.axe`. */
export function loadAxe(): Promise<AxeApi> {
  return (loading ??= new Promise<AxeApi>((resolve, reject) => {
    const script = document.createElement('script');
    script.src = AXE_URL;
    script.onload = () => resolve((window as unknown as { axe: AxeApi }).axe);
    script.onerror = () => {
      loading = null;
      reject(new Error(`could not load axe-core from ${AXE_URL}`));
    };
    document.head.append(script);
  }));
}

/**
 * One violation as a line a failing assertion can show: the rule, its impact, what to do,
 * and each offending node's target (`host >>> inner` across shadow roots) with axe's
 * summary of what failed there.
 */
export function formatViolation(violation: Axe.Result): string {
  const nodes = violation.nodes.map((node) => {
    const target = node.target.map((selector) => [selector].flat().join(' >>> ')).join(', ');
    const summary = (node.failureSummary ?? '')
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean)
      .join('; ');
    return `\n    at ${target}: ${summary}`;
  });
  return `${violation.id} (${violation.impact ?? 'unknown impact'}): ${violation.help} [${violation.helpUrl}]${nodes.join('')}`;
}

/**
 * Runs axe-core's WCAG 2.1 A/AA rules on `element`, its shadow tree included (axe follows
 * open shadow roots), and resolves with the violations formatted by
 * {@link formatViolation}: `[]` when there are none.
 */
export async function a11yViolations(element: Element): Promise<string[]> {
  const axe = await loadAxe();
  const results = await axe.run(element, {
    runOnly: { type: 'tag', values: WCAG21_AA_TAGS },
    resultTypes: ['violations'],
  });
  return results.violations.map(formatViolation);
}
