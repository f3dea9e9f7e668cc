/**
 * `<kurento-room>`: a multi-party video room in one element, on {@link RoomClient}.
 *
 * @packageDocumentation
 */
import { LitElement, adoptStyles } from 'lit';
import { renderCall, type CallViewActions } from './call-view.js';
import { DeviceMenu } from './device-menu.js';
import { startScreenShare, stopScreenShare } from '../controls/media-controls.js';
import type { MediaPreview } from './media-preview.js';
import { joinWithPreview, type PrejoinModule } from './prejoin-bridge.js';
import { GROUPCALL_PATH } from '../protocol/index.js';
import type { RoomClient } from '../core/room-client.js';
import { resolveSignalingUrl } from '../core/server-url.js';
import { RoomController, type RoomEventDetails } from './room-controller.js';
import { focusOf, type RoomLayout } from './room-layout.js';
import { isInRoom } from './room-status.js';
import { renderLobby, renderStatus } from './lobby-view.js';
import type { RoomClientOptions } from '../core/types.js';
import { styles } from './kurento-room.styles.js';
import { controlStyles } from './control-bar.styles.js';
import { tileStyles } from './room-tile.styles.js';

/**
 * The signaling URL for `server`: resolved against `base` (the page's address), with
 * `http:`/`https:` turned into `ws:`/`wss:`. An empty `server` gives `/groupcall` on the
 * page's own origin, `wss:` on an `https:` page and `ws:` otherwise.
 */
export function resolveServerUrl(server: string | null | undefined, base = location.href): string {
  return resolveSignalingUrl(server || GROUPCALL_PATH, base)?.href ?? server ?? '';
}

/**
 * A video room: joins `room` as `name` on a Kurento group-call signaling server and shows
 * everyone in a grid, or one participant large (the pinned one, else the active speaker)
 * above a strip of the others, with a control bar for the microphone, camera, screen share,
 * devices, layout and leaving. The local camera comes first (mirrored, muted). Leaves the
 * room when removed from the page.
 *
 * @example
 * ```html
 * <kurento-room room="standup" name="Ada" autojoin layout="speaker"></kurento-room>
 * ```
 *
 * @attr {string} server - The signaling WebSocket URL (see the `server` property).
 * @attr {string} room - The room to join.
 * @attr {string} name - This participant's name, unique in the room.
 * @attr {boolean} autojoin - Join as soon as `room` and `name` are set.
 * @attr {'grid' | 'speaker'} layout - The tile layout; reflected. Default `grid`.
 * @attr {string} pinned - The name of the participant shown large in the speaker layout.
 *
 * @slot empty - Shown among the tiles while nobody else is in the room. Default: a short "waiting" note.
 * @slot controls - The page's own buttons, in the control bar before "Leave room".
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
 * @event room-error - `{error}`: a {@link RoomError} (media access, signaling, negotiation, a control that failed).
 * @event local-media-state-changed - `{state}`: `{audioMuted, videoMuted, screenSharing}` of the local participant changed.
 * @event remote-media-state-changed - `{participant, state}`: a remote participant's `{audioMuted, videoMuted}` changed.
 * @event active-speaker-changed - `{participant}`: the participant shown as speaking (null: nobody speaks).
 * @event speaking-changed - `{participant, speaking}`: a participant started or stopped speaking.
 * @event connection-quality-changed - `{participant, quality}`: `excellent`, `good`, `poor`, `lost` or `unknown`.
 * @event screen-share-changed - `{active}`: the local screen share started or stopped.
 * @event device-lost - `{kind, deviceId}`: the microphone (`audioinput`) or camera (`videoinput`) in use went away.
 * @event active-device-changed - `{kind, deviceId}`: another microphone or camera is in use.
 * @event playback-blocked - `{}`: the browser blocked remote audio until a click; the element offers one.
 * @event playback-started - `{}`: remote media plays again after `playback-blocked`.
 * @event layout-changed - `{layout}`: the user switched the layout (the layout button or a pin); not fired when the page sets `layout`.
 *
 * @csspart header - The bar with the title, status line and join button.
 * @csspart title - The room name.
 * @csspart status - The status line (a polite live region).
 * @csspart error - The error message inside the status line.
 * @csspart join-button - The Join button (shown while not in the room).
 * @csspart call - The wrapper of the tiles and the playback button while in the room; also `grid-layout` or `speaker-layout`.
 * @csspart stage - The space the focused tile takes in the speaker layout.
 * @csspart grid - The grid of tiles (grid layout).
 * @csspart strip - The row of the other tiles (speaker layout), scrolling sideways.
 * @csspart tile - One participant's tile (a `figure`); also `local-tile` or `remote-tile`.
 * @csspart local-tile - The local participant's tile.
 * @csspart remote-tile - A remote participant's tile.
 * @csspart video - The `video` in a tile.
 * @csspart avatar - The initial shown over a tile whose camera is off.
 * @csspart name - The participant's name in a tile.
 * @csspart badges - The corner of a tile with the muted indicator and the quality.
 * @csspart muted-indicator - Shown on a tile while the participant's microphone is muted.
 * @csspart quality - The connection quality bars of a tile (hidden while `unknown`).
 * @csspart peer-state - The tile's connection state (hidden while connected).
 * @csspart pin-button - The button that pins a tile (`aria-pressed`).
 * @csspart icon - An icon (`svg`) in a button or indicator.
 * @csspart empty - The wrapper of the `empty` slot.
 * @csspart playback-button - "Click to enable audio", shown while the browser blocks playback.
 * @csspart controls - The control bar (`role="toolbar"`).
 * @csspart control - Every button of the control bar; also one of the following.
 * @csspart mic-button - Mutes or unmutes the microphone (`aria-pressed` while muted).
 * @csspart camera-button - Turns the camera off (it is stopped: its light goes off) or on (`aria-pressed` while off).
 * @csspart screen-button - Starts or stops sharing a screen (`aria-pressed` while sharing; absent without `getDisplayMedia`).
 * @csspart devices-button - Opens the device menu (`aria-expanded`).
 * @csspart layout-button - Switches between the grid and speaker layouts.
 * @csspart leave-button - Leaves the room.
 * @csspart control-label - A control's text (0 px on elements narrower than 40rem: icons only, the text stays the accessible name).
 * @csspart device-anchor - The wrapper of the devices button and its menu.
 * @csspart device-menu - The device menu panel.
 * @csspart device-label - The label around each device picker.
 * @csspart camera-select - The camera picker (device menu and pre-join screen).
 * @csspart microphone-select - The microphone picker (device menu and pre-join screen).
 * @csspart grid-layout - The call area (with `call`) in the grid layout.
 * @csspart speaker-layout - The call area (with `call`) in the speaker layout.
 * @csspart prejoin - The pre-join screen (a `form`), shown out of a call (not with `autojoin`).
 * @csspart preview - The camera preview's frame on the pre-join screen ("Camera off" when there is no camera).
 * @csspart preview-video - The mirrored camera preview `video`.
 * @csspart meter - The microphone level meter (`role="meter"`, 0..100).
 * @csspart mic-toggle - The pre-join microphone toggle (`aria-pressed`): join muted when off.
 * @csspart camera-toggle - The pre-join camera toggle (`aria-pressed`): off closes the camera; join with it off.
 * @csspart name-input - The pre-join name field.
 * @csspart room-input - The pre-join room field.
 * @csspart prejoin-error - Why a device did not open, and what to do (`role="alert"`).
 *
 * @cssproperty --kurento-room-gap - Space between tiles, controls and around the header. Default `0.5rem`.
 * @cssproperty --kurento-room-tile-min-width - The narrowest a grid tile gets before the grid wraps. Default `14rem`.
 * @cssproperty --kurento-room-strip-tile-width - The width of a tile in the speaker layout's strip. Default `9rem`.
 * @cssproperty --kurento-room-stage-height - The height of the focused tile in the speaker layout. Default `min(70vh, 56.25cqi)` (16:9 of the element's width).
 * @cssproperty --kurento-room-tile-radius - Tile corner radius. Default `0.5rem`.
 * @cssproperty --kurento-room-tile-background - Tile background behind the video. Default `#1d232a`.
 * @cssproperty --kurento-room-tile-text - Text and icon colour on tiles. Default `#fff`.
 * @cssproperty --kurento-room-tile-aspect-ratio - Tile aspect ratio. Default `4 / 3`.
 * @cssproperty --kurento-room-speaking-color - The outline of a speaking participant's tile. Default `#2fb170`.
 * @cssproperty --kurento-room-muted-color - The muted indicator's background. Default `#b3261e`.
 * @cssproperty --kurento-room-quality-good - Quality bars when `excellent` or `good`. Default `#2fb170`.
 * @cssproperty --kurento-room-quality-poor - Quality bars when `poor`. Default `#e0a100`.
 * @cssproperty --kurento-room-quality-lost - Quality bars when `lost`. Default `#b3261e`.
 * @cssproperty --kurento-room-accent - Button background and focus ring. Default `#1f5fbf`.
 * @cssproperty --kurento-room-accent-text - Button text colour. Default `#fff`.
 * @cssproperty --kurento-room-error - Error text and failed-state colour. Default `#b3261e`.
 * @cssproperty --kurento-room-control-background - Control bar button background. Default `#2b333c`.
 * @cssproperty --kurento-room-control-text - Control bar button text. Default `#fff`.
 * @cssproperty --kurento-room-control-active - A pressed control's background (muted, sharing). Default `#b3261e`.
 * @cssproperty --kurento-room-control-radius - Control bar button corner radius. Default `999px`.
 * @cssproperty --kurento-room-menu-background - The device menu's background. Default `#fff`.
 * @cssproperty --kurento-room-menu-text - The device menu's text. Default `#1d232a`.
 */
export class KurentoRoomElement extends LitElement {
  /** The element's shadow styles: its own, the tiles' and the control bar's (the pre-join screen adds its own when it loads). */
  static override styles = [styles, tileStyles, controlStyles];

  // Lit reactive properties, declared statically rather than with decorators (the decorator
  // helpers cost some 0.4 KB min+gz of the drop-in bundle).
  static override properties = {
    server: {},
    room: {},
    name: {},
    autojoin: { type: Boolean },
    iceServers: { attribute: false },
    iceTransportPolicy: { attribute: 'ice-transport-policy' },
    media: { attribute: false },
    layout: { reflect: true },
    pinned: {},
  };

  readonly #controller = new RoomController(this);
  readonly #menu = new DeviceMenu(this, (action) => this.#controller.run(action));
  /** The pre-join screen's module, loaded on demand (`import()`): pages that autojoin never load it. */
  #prejoin: PrejoinModule | null = null;
  #preview: MediaPreview | null = null;
  /** The pre-join preview was started on this visit to the page (it starts once, not again after a leave). */
  #previewed = false;
  /** `join()` calls so far: a preview that finishes loading after one does not start. */
  #joins = 0;
  /** The server, room and name autojoin last acted on, so it joins once per change. */
  #autojoined = '';
  /** The pinned or speaking participant the speaker layout focused last (kept while nobody speaks). */
  #lastFocus: string | null = null;
  /** What the in-call view's buttons do (each control's failure shows in the status line). */
  readonly #actions: CallViewActions = {
    toggleMicrophone: () =>
      void this.#controller.run((c) => c.setMicrophoneEnabled(!!c.localParticipant?.audioMuted)),
    toggleCamera: () =>
      void this.#controller.run((c) => c.setCameraEnabled(!!c.localParticipant?.videoMuted)),
    toggleScreenShare: () =>
      void this.#controller.run((c) =>
        c.screenSharing ? stopScreenShare(c) : startScreenShare(c),
      ),
    toggleDeviceMenu: () => this.#menu.toggle(),
    toggleLayout: () => this.#switchLayout(this.layout === 'grid' ? 'speaker' : 'grid'),
    leave: () => void this.leave(),
    keydown: (event) => {
      if (event.key === 'Escape' && this.#menu.open) {
        event.stopPropagation();
        this.#menu.close(true);
      }
    },
    pin: (name) => {
      this.pinned = this.pinned === name ? null : name;
      if (this.pinned) this.#switchLayout('speaker');
    },
    startPlayback: () => void this.#controller.run((c) => c.startPlayback()),
  };

  /** The signaling WebSocket URL; relative and `http(s):` URLs are resolved against the page. Default: `/groupcall` on the page's origin (`wss:` on `https:` pages). */
  server: string = resolveServerUrl('');

  /** The room to join. */
  room = '';

  /** This participant's name, unique in the room. */
  name = '';

  /** Join as soon as the element is on the page with `room` and `name` set (once per server, room and name). */
  autojoin = false;

  /** STUN/TURN servers for the peer connections (webrtc-pc `RTCConfiguration.iceServers`). Default: none. */
  iceServers?: RTCIceServer[];

  /**
   * Which ICE candidates the peer connections may use (webrtc-pc
   * `RTCConfiguration.iceTransportPolicy`): `relay` for TURN only, `all` for any. Attribute
   * `ice-transport-policy`. Default `all`.
   */
  iceTransportPolicy?: RTCIceTransportPolicy;

  /** What to publish: getUserMedia constraints, or `false` to join receive-only. Default: camera and microphone. */
  media?: MediaStreamConstraints | false;

  /**
   * How tiles are laid out: `grid` (equal tiles) or `speaker` (the focused tile large, the
   * others in a strip; the focus is `pinned`, else the active speaker, else the last
   * focused, else the first remote participant, else the local one). Reflected. Setting it
   * fires nothing; the user's switch fires `layout-changed`. Default `grid`.
   */
  layout: RoomLayout = 'grid';

  /** The name of the pinned participant, shown large in the speaker layout; null for none. The pin buttons set it. */
  pinned: string | null = null;

  /** The {@link RoomClient} in use: `null` before the first join; a new one is made when joining after it closed or the options changed. */
  get client(): RoomClient | null {
    return this.#controller.client;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Back on the page after a removal (which closed the client): autojoin again.
    this.#autojoined = '';
    this.#previewed = false;
    this.requestUpdate();
  }

  protected override updated(): void {
    if (!this.isConnected) return;
    const inRoom = isInRoom(this.client?.state ?? 'disconnected');
    if (!inRoom) this.#menu.close(false);
    // The pre-join screen's preview: once per visit, not with autojoin, not after a leave
    // (leaving turns the camera off; Join opens it again).
    if (!inRoom && !this.autojoin && !this.#previewed) {
      this.#previewed = true;
      void this.#startPreview();
    }
    if (!this.autojoin || !this.room || !this.name) return;
    const key = `${this.server}\n${this.room}\n${this.name}`;
    if (key === this.#autojoined) return;
    this.#autojoined = key;
    const state = this.client?.state ?? 'disconnected';
    // Failures show in the status line and as room-error.
    if (state === 'disconnected' || state === 'closed') this.join().catch(() => {});
  }

  private handleJoinClick(): void {
    // Failures show in the status line and as room-error.
    this.join().catch(() => {});
  }

  /**
   * Loads the pre-join screen's module (once), then starts its camera preview unless the
   * element joined or left the page meanwhile. Until it is loaded the lobby shows a plain
   * Join button.
   */
  async #startPreview(): Promise<void> {
    const joins = this.#joins;
    try {
      this.#prejoin ??= await import('./prejoin-view.js');
    } catch {
      return; // Not loadable (offline): the plain Join button stays.
    }
    const { MediaPreview, prejoinStyles } = this.#prejoin;
    if (!this.#preview) {
      adoptStyles(this.renderRoot as ShadowRoot, [
        ...KurentoRoomElement.elementStyles,
        prejoinStyles,
      ]);
      this.#preview = new MediaPreview(this, () => this.media);
    }
    if (joins === this.#joins && this.isConnected) await this.#preview.start();
    this.requestUpdate();
  }

  /** The user's layout switch: sets `layout` and fires `layout-changed` when it changed. */
  #switchLayout(layout: RoomLayout): void {
    if (layout === this.layout) return;
    this.layout = layout;
    this.dispatchEvent(
      new CustomEvent('layout-changed', { detail: { layout }, bubbles: true, composed: true }),
    );
  }

  /**
   * Joins `room` as `name` on `server`, publishing `media`. Rejects with the client's
   * `SignalingError` (socket, timeout, server reply such as `NAME_TAKEN`) or
   * `InvalidStateError` (already joined, empty room or name), or a `TypeError` for an
   * invalid `server`. The status line shows the failure too.
   */
  async join(): Promise<void> {
    this.#previewed = true;
    this.#joins += 1;
    const options: RoomClientOptions = { url: resolveServerUrl(this.server) };
    if (this.iceServers) options.iceServers = this.iceServers;
    if (this.iceTransportPolicy) options.iceTransportPolicy = this.iceTransportPolicy;
    if (this.media !== undefined) options.media = this.media;
    // From the pre-join screen: its devices, toggles and open tracks go to the client.
    return joinWithPreview(this.#preview, this.#controller, this.room, this.name, options);
  }

  /** Leaves the room, stopping the camera; resolves at once when not in one. */
  leave(): Promise<void> {
    return this.#controller.leave();
  }

  protected override render() {
    const client = this.client;
    return client && isInRoom(client.state) ? this.renderCall(client) : this.renderLobby();
  }

  /** The title and the status line (with the last error), in both views. */
  private renderStatus(room: string, name: string) {
    const { attempt, error } = this.#controller;
    const state = this.client?.state ?? 'disconnected';
    return renderStatus({ state, room, name, attempt, error });
  }

  /** The view while not in a room: the pre-join screen, or a Join button until it is loaded. */
  private renderLobby() {
    const name = this.#controller.attempt?.name ?? this.name;
    return renderLobby(
      {
        status: this.renderStatus(this.room, name),
        room: this.room,
        name: this.name,
        prejoin: this.#prejoin,
        preview: this.#preview,
      },
      {
        roomInput: (value) => (this.room = value),
        nameInput: (value) => (this.name = value),
        join: () => this.handleJoinClick(),
      },
    );
  }

  /** The view while joining, joined or re-joining: the tiles in their layout and the control bar. */
  private renderCall(client: RoomClient) {
    const local = client.localParticipant;
    const tiles = local
      ? [local, ...client.participants.values()]
      : [...client.participants.values()];
    const { activeSpeaker } = this.#controller;
    const focus =
      this.layout === 'speaker'
        ? focusOf(tiles, { pinned: this.pinned, activeSpeaker, last: this.#lastFocus })
        : null;
    // Remembered when chosen, not when a default: the last speaker stays large in silence.
    if (focus && (focus === this.pinned || focus === activeSpeaker)) this.#lastFocus = focus;
    return renderCall(
      client,
      {
        layout: this.layout,
        pinned: this.pinned,
        focus,
        menuOpen: this.#menu.open,
        menu: this.#menu.render(),
        status: this.renderStatus(client.room ?? this.room, local?.name ?? ''),
      },
      this.#actions,
    );
  }
}

type KurentoRoomEvents = {
  [K in keyof RoomEventDetails]: CustomEvent<RoomEventDetails[K]>;
};

// Guarded: a second copy of the SDK on the page (two bundles, two versions) keeps the first
// definition instead of throwing `NotSupportedError`.
if (!customElements.get('kurento-room')) customElements.define('kurento-room', KurentoRoomElement);

declare global {
  interface HTMLElementTagNameMap {
    'kurento-room': KurentoRoomElement;
  }
  // Registered on GlobalEventHandlersEventMap, which HTMLElementEventMap and
  // DocumentEventMap extend, so listeners on the element and on `document` are typed.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface GlobalEventHandlersEventMap extends KurentoRoomEvents {}
}
