/**
 * One participant's tile in `<kurento-room>`: their video, name, mute, speaking and quality
 * state, and a pin button. A render function; the element owns the state.
 *
 * @packageDocumentation
 */
import { html, nothing } from 'lit';
import { guard } from 'lit/directives/guard.js';
import { attachMedia } from './attach-media.js';
import { icon, MIC, PIN } from './icons.js';
import type { RoomClient } from '../core/room-client.js';
import type { Participant, PeerState } from '../core/types.js';

const PEER_STATE_LABELS: Record<PeerState, string> = {
  none: 'Waiting…',
  new: 'Connecting…',
  connecting: 'Connecting…',
  connected: 'Connected',
  disconnected: 'Reconnecting…',
  failed: 'Connection failed',
  closed: 'Closed',
};

/** What a tile needs besides its participant. */
export interface TileContext {
  /** Plays remote streams (`attachMediaElement`, for autoplay detection). */
  client: RoomClient;
  /** The tile is the large one of the speaker layout (`data-focus`). */
  focused: boolean;
  /** The participant is pinned (the pin button is pressed). */
  pinned: boolean;
  /** The local participant sends a screen: their video is not mirrored nor covered. */
  screenSharing: boolean;
  /** The pin button was pressed on the tile of `name`. */
  onPin(name: string): void;
}

/** The tile of `p`: a `figure` with the parts `tile` and `local-tile` or `remote-tile`, and its data attributes. */
export function renderTile(p: Participant, context: TileContext) {
  const { client, focused, pinned } = context;
  const sharing = p.isLocal && context.screenSharing;
  const cameraOff = !sharing && (p.videoMuted || (p.isLocal && !p.stream));
  const peerState = p.isLocal && !p.stream ? 'Camera off' : PEER_STATE_LABELS[p.peerState];
  const quality = p.connectionQuality;
  // The local preview: guard() sets srcObject on change only (each set reloads the video);
  // muted, so nobody hears themselves. Remote videos play (with their audio) via the client.
  const video = p.isLocal
    ? html`<video
        part="video"
        autoplay
        playsinline
        .muted=${true}
        .srcObject=${guard([p.stream], () => p.stream)}
      ></video>`
    : html`<video part="video" autoplay playsinline ${attachMedia(client, p.stream)}></video>`;
  return html`
    <figure
      part="tile ${p.isLocal ? 'local-tile' : 'remote-tile'}"
      data-name=${p.name}
      ?data-local=${p.isLocal}
      data-peer-state=${p.peerState}
      ?data-speaking=${p.speaking}
      ?data-audio-muted=${p.audioMuted}
      ?data-video-muted=${p.videoMuted}
      ?data-screen-sharing=${sharing}
      data-quality=${quality}
      ?data-focus=${focused}
    >
      ${video}
      ${
        cameraOff
          ? html`<div part="avatar" aria-hidden="true">${[...p.name][0]?.toUpperCase()}</div>`
          : nothing
      }
      <figcaption part="name">${p.name}${p.isLocal ? ' (you)' : ''}</figcaption>
      <span part="badges">
        ${
          p.audioMuted
            ? html`<span part="muted-indicator"
                >${icon(MIC, true)}<span class="sr-only">Microphone muted</span></span
              >`
            : nothing
        }
        <span
          part="quality"
          role="img"
          aria-label="Connection: ${quality}"
          ?hidden=${quality === 'unknown'}
          ><i></i><i></i><i></i
        ></span>
      </span>
      <span part="peer-state">${peerState}</span>
      <button
        part="pin-button"
        type="button"
        aria-pressed=${pinned ? 'true' : 'false'}
        aria-label="${pinned ? 'Unpin' : 'Pin'} ${p.name}"
        @click=${() => context.onPin(p.name)}
      >
        ${icon(PIN)}
      </button>
    </figure>
  `;
}
