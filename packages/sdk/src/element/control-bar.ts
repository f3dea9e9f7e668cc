/**
 * The control bar of `<kurento-room>`: microphone, camera, screen share, devices, layout and
 * leave buttons, and a slot for the page's own. A render function; the element owns the state.
 *
 * @packageDocumentation
 */
import { html, nothing, type TemplateResult } from 'lit';
import { DEVICE_MENU_ID } from './device-menu.js';
import { CAMERA, DEVICES, GRID, icon, LEAVE, MIC, SCREEN, SPEAKER } from './icons.js';
import type { RoomLayout } from './room-layout.js';

/** The state the buttons show. */
export interface ControlBarState {
  /** The microphone is muted. */
  audioMuted: boolean;
  /** The camera is off. */
  videoMuted: boolean;
  /** A screen is sent in place of the camera. */
  screenSharing: boolean;
  /** A microphone track is published (else the mic button is disabled). */
  hasAudio: boolean;
  /** A camera track is published (else the camera and screen buttons are disabled). */
  hasVideo: boolean;
  /** The browser can capture a screen (`getDisplayMedia`; phones cannot): else no screen button. */
  canShareScreen: boolean;
  /** The device menu is open. */
  menuOpen: boolean;
  /** The current layout. */
  layout: RoomLayout;
}

/** What each button does. */
export interface ControlBarActions {
  toggleMicrophone(): void;
  toggleCamera(): void;
  toggleScreenShare(): void;
  toggleDeviceMenu(): void;
  toggleLayout(): void;
  leave(): void;
  /** A key went down in the bar (Escape closes the device menu). */
  keydown(event: KeyboardEvent): void;
}

/** True when this browser can share a screen (W3C Screen Capture `getDisplayMedia`). */
export function canShareScreen(): boolean {
  return typeof navigator.mediaDevices?.getDisplayMedia === 'function';
}

function control(
  name: string,
  label: string,
  path: string,
  onClick: () => void,
  attributes: { pressed?: boolean; disabled?: boolean; slashed?: boolean } = {},
) {
  const { pressed, disabled = false, slashed = false } = attributes;
  return html`<button
    part="control ${name}"
    type="button"
    aria-pressed=${pressed === undefined ? nothing : String(pressed)}
    ?disabled=${disabled}
    @click=${onClick}
  >
    ${icon(path, slashed)}<span part="control-label">${label}</span>
  </button>`;
}

/** `<div part="controls" role="toolbar">` with the buttons, the device `menu` and the `controls` slot. */
export function renderControlBar(
  state: ControlBarState,
  actions: ControlBarActions,
  menu: TemplateResult,
) {
  const { audioMuted, videoMuted, screenSharing, layout } = state;
  const next: RoomLayout = layout === 'grid' ? 'speaker' : 'grid';
  return html`
    <div part="controls" role="toolbar" aria-label="Call controls" @keydown=${actions.keydown}>
      ${control(
        'mic-button',
        audioMuted ? 'Unmute microphone' : 'Mute microphone',
        MIC,
        actions.toggleMicrophone,
        { pressed: audioMuted, disabled: !state.hasAudio, slashed: audioMuted },
      )}
      ${control(
        'camera-button',
        videoMuted ? 'Turn camera on' : 'Turn camera off',
        CAMERA,
        actions.toggleCamera,
        { pressed: videoMuted, disabled: !state.hasVideo, slashed: videoMuted },
      )}
      ${
        state.canShareScreen
          ? control(
              'screen-button',
              screenSharing ? 'Stop sharing' : 'Share screen',
              SCREEN,
              actions.toggleScreenShare,
              { pressed: screenSharing, disabled: !state.hasVideo },
            )
          : nothing
      }
      <span part="device-anchor">
        <button
          part="control devices-button"
          type="button"
          aria-expanded=${String(state.menuOpen)}
          aria-controls=${DEVICE_MENU_ID}
          @click=${actions.toggleDeviceMenu}
        >
          ${icon(DEVICES)}<span part="control-label">Devices</span>
        </button>
        ${menu}
      </span>
      ${control(
        'layout-button',
        `Switch to ${next} layout`,
        next === 'grid' ? GRID : SPEAKER,
        actions.toggleLayout,
      )}
      <slot name="controls"></slot>
      ${control('leave-button', 'Leave room', LEAVE, actions.leave)}
    </div>
  `;
}
