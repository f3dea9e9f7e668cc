/**
 * The rooms of one server, by name.
 *
 * @packageDocumentation
 */

import { SerialQueue } from 'kurento-room/protocol';
import type { Logger } from '../logger.js';
import { MediaTimeoutError, type MediaBackend } from '../media/media-backend.js';
import {
  checkMediaTimeout,
  DEFAULT_MEDIA_TIMEOUT_MS,
  releaseWithin,
  withinDeadline,
} from './media-deadline.js';
import type { MessageSink, Participant } from './participant.js';
import { Room } from './room.js';
import { SignalingError } from './signaling-error.js';

/** The default of {@link RoomLimits.maxRooms}. */
export const DEFAULT_MAX_ROOMS = 100;

/**
 * The default of {@link RoomLimits.maxParticipantsPerRoom}. Everyone receives everyone
 * else, so a full room forwards 16 × 15 = 240 streams: beyond one core at 640x480
 * (FIELD-NOTES section 3 measured 8 to 10 participants per core), fine at 320x240 or
 * with most cameras off. Lower it for video-heavy rooms on small machines.
 */
export const DEFAULT_MAX_PARTICIPANTS_PER_ROOM = 16;

/** How many rooms and participants a server holds. */
export interface RoomLimits {
  /**
   * Open rooms at once; a `joinRoom` that would create one more gets `TOO_MANY_ROOMS`.
   * Default 100.
   */
  maxRooms: number;
  /** Participants in one room at once; one more gets `ROOM_FULL`. Default 16. */
  maxParticipantsPerRoom: number;
}

/** What a {@link RoomRegistry} takes besides its backend and logger. */
export interface RoomRegistryOptions extends RoomLimits {
  /**
   * The deadline of each media-backend call, in ms: a call that misses it fails its
   * request with `MEDIA_ERROR` and what it produces later is released. Default
   * {@link DEFAULT_MEDIA_TIMEOUT_MS} (10 s).
   */
  mediaTimeoutMs: number;
}

/** A participant and the room it is in. */
export interface Membership {
  room: Room;
  participant: Participant;
}

/**
 * A `rooms` map whose get-or-create and close run on one queue: two concurrent first
 * joins cannot create two rooms, and a join cannot land in a room that is closing.
 * A room that empties closes itself and releases its pipeline (the tutorial never did).
 * Creating a pipeline has a deadline, as every backend call of a room does, so a hung
 * backend delays the queue by at most that long.
 */
export class RoomRegistry {
  private readonly rooms = new Map<string, Room>();
  private readonly queue = new SerialQueue();
  private closed = false;
  private readonly limits: RoomLimits;
  private readonly mediaTimeoutMs: number;

  /**
   * @param backend - where rooms get their pipelines.
   * @param logger - the server's logger.
   * @param limits - missing fields take {@link DEFAULT_MAX_ROOMS},
   *   {@link DEFAULT_MAX_PARTICIPANTS_PER_ROOM} and {@link DEFAULT_MEDIA_TIMEOUT_MS}.
   * @throws RangeError when `limits.mediaTimeoutMs` is not a positive number.
   */
  constructor(
    private readonly backend: MediaBackend,
    private readonly logger: Logger,
    limits: Partial<RoomRegistryOptions> = {},
  ) {
    this.limits = {
      maxRooms: limits.maxRooms ?? DEFAULT_MAX_ROOMS,
      maxParticipantsPerRoom: limits.maxParticipantsPerRoom ?? DEFAULT_MAX_PARTICIPANTS_PER_ROOM,
    };
    this.mediaTimeoutMs = checkMediaTimeout(limits.mediaTimeoutMs ?? DEFAULT_MEDIA_TIMEOUT_MS);
  }

  /** The number of open rooms. */
  get size(): number {
    return this.rooms.size;
  }

  /** The number of participants over all rooms. */
  get participantCount(): number {
    let count = 0;
    for (const room of this.rooms.values()) count += room.size;
    return count;
  }

  /**
   * Joins `roomName` as `name`, creating the room (and its pipeline) if needed; with a
   * `sessionId`, may take the name over (see {@link Room.join}).
   *
   * @throws {@link SignalingError} `NAME_TAKEN` and `ROOM_FULL` (see {@link Room.join}),
   *   `TOO_MANY_ROOMS` when the room would be one too many, `MEDIA_ERROR` when the
   *   pipeline cannot be created, `INTERNAL_ERROR` when the server is closing.
   */
  join(roomName: string, name: string, sink: MessageSink, sessionId?: string): Promise<Membership> {
    return this.queue.run(async () => {
      if (this.closed) throw new SignalingError('INTERNAL_ERROR', 'the server is shutting down');
      let room = this.rooms.get(roomName);
      if (!room) {
        if (this.rooms.size >= this.limits.maxRooms) {
          throw new SignalingError(
            'TOO_MANY_ROOMS',
            `the server has ${this.limits.maxRooms} rooms, the most allowed`,
          );
        }
        room = await this.createRoom(roomName);
        this.rooms.set(roomName, room);
      }
      try {
        return { room, participant: await room.join(name, sink, sessionId) };
      } catch (error) {
        if (room.size === 0) await this.closeRoom(room);
        throw error;
      }
    });
  }

  /** Closes every room. Later joins are refused. Safe to call twice. */
  close(): Promise<void> {
    this.closed = true;
    return this.queue.run(async () => {
      await Promise.all([...this.rooms.values()].map((room) => this.closeRoom(room)));
    });
  }

  private async createRoom(name: string): Promise<Room> {
    let pipeline;
    try {
      pipeline = await withinDeadline(
        'createPipeline',
        this.mediaTimeoutMs,
        () => this.backend.createPipeline(name),
        (late) => {
          this.logger.warn(
            { room: name, media: late.id },
            'createPipeline came after its deadline',
          );
          void releaseWithin(late, this.mediaTimeoutMs, this.logger);
        },
      );
    } catch (error) {
      const why = error instanceof MediaTimeoutError ? `: ${error.message}` : '';
      throw new SignalingError('MEDIA_ERROR', `could not create the media pipeline${why}`, {
        cause: error,
      });
    }
    this.logger.info({ room: name }, 'room created');
    const room: Room = new Room({
      name,
      pipeline,
      logger: this.logger,
      maxParticipants: this.limits.maxParticipantsPerRoom,
      mediaTimeoutMs: this.mediaTimeoutMs,
      onEmpty: (room) => {
        this.queue
          .run(() => (room.size === 0 ? this.closeRoom(room) : undefined))
          .catch((error: unknown) =>
            this.logger.error({ err: error, room: name }, 'closing a room failed'),
          );
      },
    });
    // A media server that dies takes the room's media with it: the room is rebuilt
    // from scratch by its clients re-joining (see Room.mediaLost).
    pipeline.onLost?.((error) => {
      this.logger.warn({ err: error, room: name }, 'the room lost its media: clients re-join');
      this.queue
        .run(async () => {
          if (this.rooms.get(name) === room) this.rooms.delete(name);
          await room.mediaLost();
        })
        .catch((caught: unknown) =>
          this.logger.error({ err: caught, room: name }, 'closing a room failed'),
        );
    });
    return room;
  }

  private async closeRoom(room: Room): Promise<void> {
    if (this.rooms.get(room.name) === room) this.rooms.delete(room.name);
    await room.close();
  }
}
