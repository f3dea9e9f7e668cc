/**
 * `<kurento-room>`'s bridge to the pre-join screen, whose module is a chunk loaded on
 * demand (pages that autojoin never load it): loading it, and at `join()` handing its
 * preview's device choice, microphone and camera toggles and open tracks to the client,
 * which publishes those tracks instead of opening the devices again (no second prompt, no
 * flicker of the camera light). Only types come from the pre-join module statically.
 *
 * @packageDocumentation
 */
import type { RoomClientOptions } from '../core/types.js';
import type { MediaPreview } from './media-preview.js';
import type { RoomController } from './room-controller.js';

/** The pre-join module (`prejoin-view.ts`). */
export type PrejoinModule = typeof import('./prejoin-view.js');

/**
 * Joins `room` as `name` through `controller` with `options`, handing `preview` (null when
 * the pre-join screen never loaded) over: when it previewed, `options.media` becomes its
 * chosen devices, `options.getUserMedia` returns its open tracks (`MediaPreview.handOver`;
 * the preview stops), and its microphone and camera toggles apply to the new client (muting
 * holds for the tracks it opens). Tracks the client did not take (receive-only, refused)
 * stop once the join settled. Settles as `controller.join()`.
 */
export async function joinWithPreview(
  preview: MediaPreview | null,
  controller: RoomController,
  room: string,
  name: string,
  options: RoomClientOptions,
): Promise<void> {
  const previewing = !!preview?.stream;
  const { media, audioEnabled, videoEnabled } = preview?.choice() ?? {
    media: undefined,
    audioEnabled: true,
    videoEnabled: true,
  };
  const handOver = await preview?.handOver();
  if (previewing) options.media = media;
  if (handOver) options.getUserMedia = handOver.open;
  const joined = controller.join(room, name, options);
  const client = controller.client;
  if (!audioEnabled) void client?.setMicrophoneEnabled(false).catch(() => {});
  if (!videoEnabled) void client?.setCameraEnabled(false).catch(() => {});
  return joined.finally(() => handOver?.release());
}
