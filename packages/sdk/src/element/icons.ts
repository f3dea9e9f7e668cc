/**
 * The element's icons: tiny inline SVG strokes on a 24×24 grid, in `currentColor`, hidden
 * from assistive technology (every control carries its name in text).
 *
 * @packageDocumentation
 */
import { svg, type SVGTemplateResult } from 'lit';

/** An icon from an SVG path; `slashed` crosses it out (muted, off). */
export function icon(path: string, slashed = false): SVGTemplateResult {
  return svg`<svg part="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d=${slashed ? `${path}M3 3l18 18` : path} /></svg>`;
}

export const MIC =
  'M12 3a3 3 0 0 0-3 3v5a3 3 0 0 0 6 0V6a3 3 0 0 0-3-3zM5 11a7 7 0 0 0 14 0M12 18v3';
export const CAMERA = 'M3 7h12v10H3zM15 10l6-3v10l-6-3';
export const SCREEN = 'M3 4h18v12H3zM8 20h8M12 16v4';
export const DEVICES = 'M4 6h16M4 12h16M4 18h16M8 4v4M16 10v4M10 16v4';
export const GRID = 'M4 4h7v7H4zM13 4h7v7h-7zM4 13h7v7H4zM13 13h7v7h-7z';
export const SPEAKER = 'M3 4h18v11H3zM3 18h5v3H3zM10 18h4v3h-4zM16 18h5v3h-5z';
export const LEAVE = 'M4 15c5-5 11-5 16 0l-2 3-3-1v-2a9 9 0 0 0-6 0v2l-3 1z';
export const PIN = 'M9 3h6l-1 6 3 3H7l3-3zM12 12v9';
