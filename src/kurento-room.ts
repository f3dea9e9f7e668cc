/**
 * `<kurento-room>`: a multi-party video room in one element, on {@link RoomClient}.
 *
 * @packageDocumentation
 */
import { LitElement, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { guard } from 'lit/directives/guard.js';
import { repeat } from 'lit/directives/repeat.js';
import { GROUPCALL_PATH } from './protocol.js';
import type { RoomClient } from './room-client.js';
import { RoomController, type RoomEventDetails } from './room-controller.js';
import { describeError, describeState, isInRoom } from './room-status.js';
import type { Participant, PeerState, RoomClientOptions } from './types.js';
import { styles } from './kurento-room.styles.js';

/**
 * The signaling URL for `server`: resolved against `base` (the page's address), with
 * `http:`/`https:` turned into `ws:`/`wss:`. An empty `server` gives `/groupcall` on the
 * page's own origin, `wss:` on an `https:` page and `ws:` otherwise.
 */
export function resolveServerUrl(server: string | null | undefined, base = location.href): string {
  try {
    const url = new URL(server || GROUPCALL_PATH, base);
    if (url.protocol === 'http:') url.protocol = 'ws:';
    if (url.protocol === 'https:') url.protocol = 'wss:';
    return url.href;
  } catch {
    return server ?? '';
  }
}

const PEER_STATE_LABELS: Record<PeerState, string> = {
  none: 'Waiting…',
  new: 'Connecting…',
  connecting: 'Connecting…',
  connected: 'Connected',
  disconnected: 'Reconnecting…',
  failed: 'Connection failed',
  closed: 'Closed',
};

/**
 * A video room: joins `room` as `name` on a Kurento group-call signaling server and
 * shows everyone in a responsive grid, the local camera first (mirrored, muted).
 * Leaves the room when removed from the page.
 *
 * @example
 * ```html
 * <kurento-room room="standup" name="Ada" autojoin></kurento-room>
 * ```
 *
 * @slot empty - Shown in the grid while nobody else is in the room. Default: a short "waiting" note.
 *
 * @event connection-state-changed - `{state, previous}`: the signaling connection changed state.
 * @event participant-joined - `{participant}`: a remote participant is in the room.
 * @event participant-left - `{participant}`: a remote participant left.
 * @event remote-stream-added - `{participant, stream}`: a remote participant's media arrived.
 * @event remote-stream-removed - `{participant, stream}`: a remote participant's media is gone.
 * @event local-stream-added - `{stream}`: the camera and microphone are open and published.
 * @event local-stream-removed - `{stream}`: the local stream was stopped.
 * @event peer-state-changed - `{participant, state}`: a peer connection changed state.
 * @event reconnecting - `{reason}`: the signaling socket dropped; re-joining (tiles are kept).
 * @event reconnected - `{}`: back in the room after a reconnection.
 * @event peer-restarted - `{participant, reason}`: one peer connection was rebuilt (`failed`, `closed` or `stalled`).
 * @event room-error - `{error}`: a {@link RoomError} (media access, signaling, negotiation).
 *
 * @csspart header - The bar with the title, status line and button.
 * @csspart title - The room name.
 * @csspart status - The status line (a polite live region).
 * @csspart error - The error message inside the status line.
 * @csspart join-button - The Join/Leave button.
 * @csspart grid - The grid of tiles.
 * @csspart tile - One participant's tile (a `figure`); also `local-tile` or `remote-tile`.
 * @csspart video - The `video` in a tile.
 * @csspart name - The participant's name in a tile.
 * @csspart peer-state - The tile's connection state (hidden while connected).
 * @csspart empty - The wrapper of the `empty` slot.
 *
 * @cssproperty --kurento-room-gap - Space between tiles and around the header. Default `0.5rem`.
 * @cssproperty --kurento-room-tile-min-width - The narrowest a tile gets before the grid wraps. Default `14rem`.
 * @cssproperty --kurento-room-tile-radius - Tile corner radius. Default `0.5rem`.
 * @cssproperty --kurento-room-tile-background - Tile background behind the video. Default `#1d232a`.
 * @cssproperty --kurento-room-tile-aspect-ratio - Tile aspect ratio. Default `4 / 3`.
 * @cssproperty --kurento-room-accent - Button background and focus ring. Default `#1f5fbf`.
 * @cssproperty --kurento-room-accent-text - Button text colour. Default `#fff`.
 * @cssproperty --kurento-room-error - Error text and failed-state colour. Default `#b3261e`.
 */
@customElement('kurento-room')
export class KurentoRoomElement extends LitElement {
  static override styles = styles;

  readonly #controller = new RoomController(this);
  /** The server, room and name autojoin last acted on, so it joins once per change. */
  #autojoined = '';

  /** The signaling WebSocket URL; relative and `http(s):` URLs are resolved against the page. Default: `/groupcall` on the page's origin (`wss:` on `https:` pages). */
  @property() server: string = resolveServerUrl('');

  /** The room to join. */
  @property() room = '';

  /** This participant's name, unique in the room. */
  @property() name = '';

  /** Join as soon as the element is on the page with `room` and `name` set (once per server, room and name). */
  @property({ type: Boolean }) autojoin = false;

  /** STUN/TURN servers for the peer connections (webrtc-pc `RTCConfiguration.iceServers`). Default: none. */
  @property({ attribute: false }) iceServers?: RTCIceServer[];

  /** What to publish: getUserMedia constraints, or `false` to join receive-only. Default: camera and microphone. */
  @property({ attribute: false }) media?: MediaStreamConstraints | false;

  /** The {@link RoomClient} in use: `null` before the first join; a new one is made when joining after it closed or the options changed. */
  get client(): RoomClient | null {
    return this.#controller.client;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Back on the page after a removal (which closed the client): autojoin again.
    this.#autojoined = '';
    this.requestUpdate();
  }

  protected override updated(): void {
    if (!this.autojoin || !this.room || !this.name) return;
    const key = `${this.server}\n${this.room}\n${this.name}`;
    if (key === this.#autojoined) return;
    this.#autojoined = key;
    const state = this.client?.state ?? 'disconnected';
    // Failures show in the status line and as room-error.
    if (state === 'disconnected' || state === 'closed') this.join().catch(() => {});
  }

  private handleButtonClick(): void {
    const action = isInRoom(this.client?.state ?? 'disconnected') ? this.leave() : this.join();
    // Failures show in the status line and as room-error.
    action.catch(() => {});
  }

  /**
   * Joins `room` as `name` on `server`, publishing `media`. Rejects with the client's
   * `SignalingError` (socket, timeout, server reply such as `NAME_TAKEN`) or
   * `InvalidStateError` (already joined, empty room or name), or a `TypeError` for an
   * invalid `server`. The status line shows the failure too.
   */
  join(): Promise<void> {
    const options: RoomClientOptions = { url: resolveServerUrl(this.server) };
    if (this.iceServers) options.iceServers = this.iceServers;
    if (this.media !== undefined) options.media = this.media;
    return this.#controller.join(this.room, this.name, options);
  }

  /** Leaves the room, stopping the camera; resolves at once when not in one. */
  leave(): Promise<void> {
    return this.#controller.leave();
  }

  protected override render() {
    const client = this.client;
    const state = client?.state ?? 'disconnected';
    const inRoom = isInRoom(state);
    const attempt = this.#controller.attempt;
    const error = this.#controller.error;
    const local = inRoom ? client?.localParticipant : null;
    const remotes = inRoom && client ? [...client.participants.values()] : [];
    const tiles = local ? [local, ...remotes] : remotes;
    const room = (inRoom && client?.room) || this.room;
    const status = describeState(state, room, local?.name ?? attempt?.name ?? this.name);
    const buttonLabel = inRoom ? 'Leave room' : 'Join room';
    return html`
      <header part="header">
        <h2 part="title">${room || 'No room chosen'}</h2>
        <p part="status" role="status" aria-live="polite">
          ${status}${
            error && attempt
              ? html` <span part="error">${describeError(error, attempt)}</span>`
              : nothing
          }
        </p>
        <button
          part="join-button"
          type="button"
          ?disabled=${state === 'connecting' || (!inRoom && (!this.room || !this.name))}
          @click=${this.handleButtonClick}
        >
          ${buttonLabel}
        </button>
      </header>
      <div part="grid">
        ${repeat(
          tiles,
          (p) => (p.isLocal ? `local:${p.name}` : `remote:${p.name}`),
          (p) => this.renderTile(p),
        )}
        ${
          state === 'connected' && remotes.length === 0
            ? html`<div part="empty"><slot name="empty">Waiting for others to join…</slot></div>`
            : nothing
        }
      </div>
    `;
  }

  private renderTile(p: Participant) {
    const peerState = p.isLocal && !p.stream ? 'Camera off' : PEER_STATE_LABELS[p.peerState];
    // guard(): Lit re-sets an object-valued property on every render, and every
    // assignment to srcObject reloads the video (a visible flicker); set it on change only.
    return html`
      <figure
        part="tile ${p.isLocal ? 'local-tile' : 'remote-tile'}"
        data-name=${p.name}
        ?data-local=${p.isLocal}
        data-peer-state=${p.peerState}
      >
        <video
          part="video"
          autoplay
          playsinline
          .muted=${p.isLocal}
          .srcObject=${guard([p.stream], () => p.stream)}
        ></video>
        <figcaption part="name">${p.name}${p.isLocal ? ' (you)' : ''}</figcaption>
        <span part="peer-state">${peerState}</span>
      </figure>
    `;
  }
}

type KurentoRoomEvents = {
  [K in keyof RoomEventDetails]: CustomEvent<RoomEventDetails[K]>;
};

declare global {
  interface HTMLElementTagNameMap {
    'kurento-room': KurentoRoomElement;
  }
  // Registered on GlobalEventHandlersEventMap, which HTMLElementEventMap and
  // DocumentEventMap extend, so listeners on the element and on `document` are typed.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface GlobalEventHandlersEventMap extends KurentoRoomEvents {}
}
