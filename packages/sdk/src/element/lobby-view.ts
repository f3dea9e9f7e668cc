/**
 * The status line of `<kurento-room>` (both views) and its view out of a call: the pre-join
 * screen once its module is loaded, else a plain Join button. Render functions; the element
 * owns the state.
 *
 * @packageDocumentation
 */
import { html, nothing, type TemplateResult } from 'lit';
import type { ConnectionState } from '../core/types.js';
import type { MediaPreview } from './media-preview.js';
// Type only: the pre-join module is a chunk the element loads on demand (`import()`).
import type * as PrejoinModule from './prejoin-view.js';
import { describeError, describeState, type JoinAttempt } from './room-status.js';

/** What the status line says: the state, and the last error of the join attempt it belongs to. */
export interface StatusLine {
  state: ConnectionState;
  room: string;
  name: string;
  attempt: JoinAttempt | null;
  error: unknown;
}

/** The title and the status line (with the last error). */
export function renderStatus({ state, room, name, attempt, error }: StatusLine): TemplateResult {
  return html`
    <h2 part="title">${room || 'No room chosen'}</h2>
    <p part="status" role="status" aria-live="polite">
      ${describeState(state, room, name)}${
        error && attempt
          ? html` <span part="error">${describeError(error, attempt)}</span>`
          : nothing
      }
    </p>
  `;
}

/** The lobby's fields and what it renders them with. */
export interface LobbyState {
  /** The title and status line. */
  status: TemplateResult;
  room: string;
  name: string;
  /** The pre-join module once loaded, and its camera preview; else a plain Join button shows. */
  prejoin: typeof PrejoinModule | null;
  preview: MediaPreview | null;
}

/** What the lobby's inputs and button do. */
export interface LobbyActions {
  roomInput(value: string): void;
  nameInput(value: string): void;
  join(): void;
}

/** The view while not in a room. */
export function renderLobby(state: LobbyState, actions: LobbyActions): TemplateResult {
  const { prejoin, preview, room, name } = state;
  if (!prejoin || !preview) {
    return html`
      <header part="header">
        ${state.status}
        <button
          part="join-button"
          type="button"
          ?disabled=${!room || !name}
          @click=${() => actions.join()}
        >
          Join room
        </button>
      </header>
    `;
  }
  return html`
    <header part="header">${state.status}</header>
    ${prejoin.renderPrejoin(
      preview,
      { room, name, busy: false },
      { roomInput: actions.roomInput, nameInput: actions.nameInput, submit: actions.join },
    )}
  `;
}
