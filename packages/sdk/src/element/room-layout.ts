/**
 * Which tile `<kurento-room>`'s speaker layout shows large.
 *
 * @packageDocumentation
 */
import type { Participant } from '../core/types.js';

/** How `<kurento-room>` lays tiles out: a grid of equals, or one large tile and a strip. */
export type RoomLayout = 'grid' | 'speaker';

/** What the focused tile is chosen from, by participant name. */
export interface FocusCandidates {
  /** The pinned participant, if any. */
  pinned: string | null;
  /** The client's active speaker, if anyone speaks. */
  activeSpeaker: string | null;
  /** The pinned or speaking participant focused last, kept while nobody speaks. */
  last: string | null;
}

/**
 * The participant to show large: the pinned one, else the active speaker, else the one
 * focused last, else the first remote participant, else the local one (`tiles[0]`); names
 * no longer in `tiles` are skipped. Null when there is no tile.
 */
export function focusOf(tiles: readonly Participant[], candidates: FocusCandidates): string | null {
  const here = (name: string | null) => !!name && tiles.some((p) => p.name === name);
  const { pinned, activeSpeaker, last } = candidates;
  for (const name of [pinned, activeSpeaker, last]) if (here(name)) return name;
  return (tiles.find((p) => !p.isLocal) ?? tiles[0])?.name ?? null;
}
