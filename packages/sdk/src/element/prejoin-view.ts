/**
 * The pre-join screen of `<kurento-room>`: camera preview, microphone level, device pickers,
 * mute toggles, name and room, as a Lit template over a {@link MediaPreview}, and its styles.
 *
 * @packageDocumentation
 */
import { css, html, nothing, type TemplateResult } from 'lit';
import { guard } from 'lit/directives/guard.js';
import { live } from 'lit/directives/live.js';
import type { MediaAccessError } from '../core/errors.js';
import type { MediaPreview } from './media-preview.js';
import type { MediaKind } from '../core/types.js';

/** The form's fields, owned by the host. */
export interface PrejoinFields {
  /** The room to join. */
  room: string;
  /** The name to join as. */
  name: string;
  /** A join is under way: the Join button is disabled. */
  busy: boolean;
  /** Why the last join failed, in words; shown in the alert. */
  error?: string;
}

/** What the form reports to the host. */
export interface PrejoinHandlers {
  /** The room field changed. */
  roomInput(value: string): void;
  /** The name field changed. */
  nameInput(value: string): void;
  /** The user asked to join (the Join button, or Enter in a field) with both fields filled. */
  submit(): void;
}

const DEVICE: Record<MediaKind, [string, string]> = {
  audio: ['Microphone', 'microphone'],
  video: ['Camera', 'camera'],
};

/** What to tell the user about a device that did not open, and what they can do. */
export function describeMediaError(kind: MediaKind, error: MediaAccessError): string {
  const [Device, device] = DEVICE[kind];
  if (error.reason === 'denied') {
    return `${Device} blocked: allow it in the browser's site settings, or join without it.`;
  }
  if (error.reason === 'no-device') return `No ${device} found: you can join without one.`;
  return `${Device} could not be started: close other apps using it, or pick another one.`;
}

const value = (event: Event) => (event.target as HTMLInputElement | HTMLSelectElement).value;

function deviceSelect(preview: MediaPreview, kind: MediaKind) {
  const [Device] = DEVICE[kind];
  const devices = preview.devices[`${kind}input`];
  const chosen = kind === 'audio' ? preview.audioDeviceId : preview.videoDeviceId;
  return html`<label
    >${Device}
    <select
      part=${SELECT_PART[kind]}
      ?disabled=${!devices.length}
      @change=${(event: Event) => {
        // Failures show in the alert; the select falls back to the device in use.
        preview.selectDevice(`${kind}input`, value(event)).catch(() => {});
      }}
    >
      ${devices.map(
        (device, i) =>
          html`<option value=${device.deviceId} .selected=${live(device.deviceId === chosen)}>
            ${device.label || `${Device} ${i + 1}`}
          </option>`,
      )}
    </select></label
  >`;
}

/** Each kind's picker and toggle parts (lookups, so the manifest test reads no kind names as parts). */
const SELECT_PART = { audio: 'microphone-select', video: 'camera-select' } as const;
const TOGGLE_PART = { audio: 'mic-toggle', video: 'camera-toggle' } as const;

/** A required text field, part `name-input` or `room-input`, labelled `label`. */
function field(
  label: string,
  name: string,
  current: string,
  autocomplete: string,
  input: (value: string) => void,
) {
  return html`<label
    >${label}
    <input
      part=${`${name}-input`}
      name=${name}
      required
      autocomplete=${autocomplete}
      .value=${live(current)}
      @input=${(event: Event) => input(value(event))}
  /></label>`;
}

function toggle(preview: MediaPreview, kind: MediaKind) {
  const [Device] = DEVICE[kind];
  const on = kind === 'audio' ? preview.audioEnabled : preview.videoEnabled;
  const flip = () =>
    kind === 'audio' ? preview.setMicrophoneEnabled(!on) : preview.setCameraEnabled(!on);
  // The name stays "Camera"; aria-pressed says on or off (the visible state is aria-hidden).
  return html`<button part=${TOGGLE_PART[kind]} type="button" aria-pressed=${on} @click=${flip}>
    ${Device} <span aria-hidden="true">${on ? 'on' : 'off'}</span>
  </button>`;
}

/**
 * The pre-join form. Parts: `prejoin` (the `<form>`), `preview`, `preview-video`, `meter`
 * (`role="meter"`, 0..100), `mic-toggle`, `camera-toggle` (`aria-pressed`),
 * `microphone-select`, `camera-select`, `name-input`, `room-input`, `join-button`,
 * `prejoin-error` (`role="alert"`: `fields.error` and why a device did not open). Submitting
 * (the button or Enter) calls `handlers.submit` when both fields are filled and not `busy`;
 * a device failure never blocks it.
 */
export function renderPrejoin(
  preview: MediaPreview,
  fields: PrejoinFields,
  handlers: PrejoinHandlers,
): TemplateResult {
  const ready = !fields.busy && !!fields.room.trim() && !!fields.name.trim();
  const problems = (['video', 'audio'] as const).flatMap((kind) => {
    const error = preview.errors[kind];
    return error ? [describeMediaError(kind, error)] : [];
  });
  const alert = [fields.error, ...problems].filter(Boolean).join(' ');
  const percent = Math.round(preview.level * 100);
  const stream = preview.stream;
  const showing = !!stream?.getVideoTracks().length;
  // Set again for each new camera track: Firefox does not show a video track added to a
  // stream that a <video> already plays.
  return html`<form
    part="prejoin"
    @submit=${(event: SubmitEvent) => {
      event.preventDefault();
      if (ready) handlers.submit();
    }}
  >
    <div part="preview">
      <video
        part="preview-video"
        autoplay
        playsinline
        .muted=${true}
        .srcObject=${guard([stream, stream?.getVideoTracks()[0]], () => stream)}
        ?hidden=${!showing}
      ></video>
      ${showing ? nothing : html`<span class="off">Camera off</span>`}
      <div class="bar">
        ${toggle(preview, 'audio')} ${toggle(preview, 'video')}
        <div
          part="meter"
          role="meter"
          aria-label="Microphone level"
          aria-valuemin="0"
          aria-valuemax="100"
          aria-valuenow=${percent}
          style="--level: ${preview.level}"
        ></div>
      </div>
    </div>
    <div class="fields">
      ${deviceSelect(preview, 'video')} ${deviceSelect(preview, 'audio')}
      ${field('Name', 'name', fields.name, 'nickname', handlers.nameInput)}
      ${field('Room', 'room', fields.room, 'off', handlers.roomInput)}
      <p part="prejoin-error" role="alert" ?hidden=${!alert}>${alert}</p>
      <button part="join-button" type="submit" ?disabled=${!ready}>Join room</button>
    </div>
  </form>`;
}

/** Styles of {@link renderPrejoin}, on the element's `--kurento-room-*` custom properties (defaults on its `:host`). */
export const prejoinStyles = css`
  [part='prejoin'] {
    display: flex;
    flex-wrap: wrap;
    gap: calc(2 * var(--kurento-room-gap));
  }

  [part='preview'] {
    position: relative;
    flex: 3 1 20rem;
    aspect-ratio: var(--kurento-room-tile-aspect-ratio);
    border-radius: var(--kurento-room-tile-radius);
    overflow: hidden;
    background: var(--kurento-room-tile-background);
  }

  [part='preview-video'] {
    display: block;
    width: 100%;
    height: 100%;
    object-fit: cover;
    transform: scaleX(-1);
  }

  [part='preview'] .off {
    position: absolute;
    inset: 0;
    display: grid;
    place-items: center;
    color: #fff;
  }

  [part='prejoin'] .bar {
    position: absolute;
    inset: auto 0 0;
    display: flex;
    align-items: center;
    gap: var(--kurento-room-gap);
    padding: var(--kurento-room-gap);
    background: rgb(0 0 0 / 0.5);
  }

  [part='meter'] {
    flex: 1;
    height: 0.375rem;
    border-radius: 0.1875rem;
    background: rgb(255 255 255 / 0.3);
    overflow: hidden;
  }

  [part='meter']::before {
    content: '';
    display: block;
    height: 100%;
    background: var(--kurento-room-accent-text);
    transform: scaleX(var(--level));
    transform-origin: left;
  }

  [part='prejoin'] .fields {
    flex: 2 1 14rem;
    display: flex;
    flex-direction: column;
    gap: var(--kurento-room-gap);
  }

  [part='prejoin'] label {
    display: flex;
    flex-direction: column;
    gap: 0.25rem;
  }

  [part='prejoin'] :is(select, input, button) {
    font: inherit;
    min-height: 2.5rem;
  }

  [part='preview'] button {
    padding: 0.25em 0.75em;
    border: 1px solid rgb(255 255 255 / 0.6);
    border-radius: 999px;
    background: rgb(255 255 255 / 0.15);
    color: #fff;
    cursor: pointer;
  }

  [part='preview'] [aria-pressed='false'] {
    border-color: transparent;
    background: var(--kurento-room-error);
  }

  [part='prejoin'] :is(button, select, input):focus-visible {
    outline: 2px solid var(--kurento-room-accent);
    outline-offset: 2px;
  }

  [part='prejoin-error'] {
    margin: 0;
    color: var(--kurento-room-error);
  }

  [part='prejoin'] [hidden] {
    display: none;
  }
`;

export { MediaPreview } from './media-preview.js';
