/**
 * The device menu of `<kurento-room>`'s control bar: a camera and a microphone picker
 * (`listDevices`, `getActiveDevice`, `switchDevice`), as a reactive controller that owns its
 * open state, its device list and its listeners, and a render function.
 *
 * @packageDocumentation
 */
import { html, type ReactiveController, type ReactiveControllerHost } from 'lit';
import { getActiveDevice, listDevices, switchDevice } from '../controls/media-controls.js';
import type { RoomClient } from '../core/room-client.js';
import type { InputKind } from '../core/types.js';

/** The id of the menu panel, for the devices button's `aria-controls`. */
export const DEVICE_MENU_ID = 'device-menu';

/** What the menu needs of its element. */
export interface DeviceMenuHost extends ReactiveControllerHost, HTMLElement {
  /** The element's client, if any. */
  readonly client: RoomClient | null;
}

const PICKERS = [
  { kind: 'videoinput', part: 'camera-select', label: 'Camera' },
  { kind: 'audioinput', part: 'microphone-select', label: 'Microphone' },
] as const;

/**
 * The device menu's state. Open: lists the devices and the ones in use, again on
 * `devicechange` (Media Capture and Streams #event-mediadevices-devicechange) and on the
 * client's `activeDeviceChanged`; Escape or a pointer down outside closes it. Closed when
 * the element leaves the page.
 */
export class DeviceMenu implements ReactiveController {
  /** The panel is shown. */
  open = false;
  /** The cameras and microphones, as `listDevices` last said. */
  devices: MediaDeviceInfo[] = [];
  /** The `deviceId` in use per kind; null when none is open. */
  active: Record<InputKind, string | null> = { audioinput: null, videoinput: null };

  readonly #host: DeviceMenuHost;
  readonly #run: (action: (client: RoomClient) => Promise<void>) => Promise<void>;
  #unbind: Array<() => void> = [];

  /** `run` performs a device action, reporting its failure (see `RoomController.run`). */
  constructor(
    host: DeviceMenuHost,
    run: (action: (client: RoomClient) => Promise<void>) => Promise<void>,
  ) {
    this.#host = host;
    this.#run = run;
    host.addController(this);
  }

  hostDisconnected(): void {
    this.close(false);
  }

  /** Opens the menu, or closes it (focus back on the devices button). */
  toggle(): void {
    if (this.open) return this.close(true);
    const client = this.#host.client;
    if (!client) return;
    this.open = true;
    const devices = navigator.mediaDevices;
    const refresh = () => void this.refresh();
    const outside = (event: Event) => {
      const path = event.composedPath();
      if (!path.some((node) => node instanceof Element && /\bdevice/.test(node.part.value))) {
        // Focus goes back to the button only if it was in the menu (else the click moves it).
        this.close(this.#host.shadowRoot?.activeElement?.closest('[part~="device-menu"]') != null);
      }
    };
    devices?.addEventListener('devicechange', refresh);
    document.addEventListener('pointerdown', outside, true);
    this.#unbind = [
      () => devices?.removeEventListener('devicechange', refresh),
      () => document.removeEventListener('pointerdown', outside, true),
      client.on('activeDeviceChanged', refresh),
    ];
    this.#host.requestUpdate();
    refresh();
  }

  /** Closes the menu and stops listening; `refocus` moves focus back to the devices button. */
  close(refocus: boolean): void {
    for (const unbind of this.#unbind) unbind();
    this.#unbind = [];
    if (!this.open) return;
    this.open = false;
    this.#host.requestUpdate();
    if (refocus)
      this.#host.shadowRoot?.querySelector<HTMLElement>('[part~="devices-button"]')?.focus();
  }

  /** Lists the devices and the ones in use again. */
  async refresh(): Promise<void> {
    await this.#run(async (client) => {
      const devices = await listDevices(client);
      if (!this.open) return;
      this.devices = devices;
      for (const { kind } of PICKERS) this.active[kind] = getActiveDevice(client, kind);
    });
  }

  #switch(kind: InputKind, event: Event): void {
    const deviceId = (event.target as HTMLSelectElement).value;
    void this.#run((client) => switchDevice(client, kind, deviceId));
  }

  /** The panel (`hidden` while closed, so `aria-controls` always names an element). */
  render() {
    return html`
      <div
        part="device-menu"
        id=${DEVICE_MENU_ID}
        role="group"
        aria-label="Devices"
        ?hidden=${!this.open}
      >
        ${PICKERS.map(({ kind, part, label }) => {
          const devices = this.devices.filter((d) => d.kind === kind);
          const active = this.active[kind];
          return html`<label part="device-label"
            >${label}
            <select
              part=${part}
              ?disabled=${!active}
              @change=${(event: Event) => this.#switch(kind, event)}
            >
              ${devices.map(
                (d, i) =>
                  html`<option value=${d.deviceId} .selected=${d.deviceId === active}>
                    ${d.label || `${label} ${i + 1}`}
                  </option>`,
              )}
            </select></label
          >`;
        })}
      </div>
    `;
  }
}
