/**
 * The in-call view of `<kurento-room>`: the tiles in their layout (a grid, or the focused
 * tile on a stage above a strip), the "waiting" slot, the playback button and the control
 * bar. A render function; the element owns the state.
 *
 * @packageDocumentation
 */
import { html, nothing, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { RoomClient } from '../core/room-client.js';
import { canShareScreen, renderControlBar, type ControlBarActions } from './control-bar.js';
import type { RoomLayout } from './room-layout.js';
import { renderTile } from './room-tile.js';

/** What the in-call view shows besides the client's own state. */
export interface CallViewState {
  /** The current layout. */
  layout: RoomLayout;
  /** The pinned participant's name, or null. */
  pinned: string | null;
  /** The participant shown large in the speaker layout (null in the grid layout). */
  focus: string | null;
  /** The device menu is open. */
  menuOpen: boolean;
  /** The device menu's panel (rendered by its controller). */
  menu: TemplateResult;
  /** The title and status line. */
  status: TemplateResult;
}

/** What the view's buttons do: the control bar's actions, a pin, and "Click to enable audio". */
export interface CallViewActions extends ControlBarActions {
  pin(name: string): void;
  startPlayback(): void;
}

/** The view while joining, joined or re-joining, for `client`. */
export function renderCall(
  client: RoomClient,
  state: CallViewState,
  actions: CallViewActions,
): TemplateResult {
  const local = client.localParticipant;
  const remotes = [...client.participants.values()];
  const tiles = local ? [local, ...remotes] : remotes;
  const speaker = state.layout === 'speaker';
  const screenSharing = client.screenSharing;
  const stream = local?.stream;
  const context = { client, screenSharing, onPin: (name: string) => actions.pin(name) };
  return html`
    <header part="header">${state.status}</header>
    <div part="call ${speaker ? 'speaker-layout' : 'grid-layout'}">
      ${speaker ? html`<div part="stage"></div>` : nothing}
      <div part=${speaker ? 'strip' : 'grid'}>
        ${repeat(
          tiles,
          (p) => (p.isLocal ? `local:${p.name}` : `remote:${p.name}`),
          (p) =>
            renderTile(p, {
              ...context,
              focused: p.name === state.focus,
              pinned: p.name === state.pinned,
            }),
        )}
        ${
          client.state === 'connected' && remotes.length === 0
            ? html`<div part="empty"><slot name="empty">Waiting for others to join…</slot></div>`
            : nothing
        }
      </div>
      ${
        client.playbackBlocked
          ? html`<button part="playback-button" type="button" @click=${actions.startPlayback}>
              Click to enable audio
            </button>`
          : nothing
      }
    </div>
    ${renderControlBar(
      {
        audioMuted: !!local?.audioMuted,
        videoMuted: !!local?.videoMuted,
        screenSharing,
        hasAudio: !!stream?.getAudioTracks().length,
        hasVideo: !!stream?.getVideoTracks().length,
        canShareScreen: canShareScreen(),
        menuOpen: state.menuOpen,
        layout: state.layout,
      },
      actions,
      state.menu,
    )}
  `;
}
