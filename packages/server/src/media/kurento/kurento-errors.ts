/**
 * Errors of the Kurento backend, all {@link MediaError}s so that the signaling layer turns
 * them into `MEDIA_ERROR` replies.
 *
 * @packageDocumentation
 */

import { MediaError } from '../media-backend.js';

/**
 * An error response of Kurento Media Server to a JSON-RPC request (Kurento Protocol,
 * "Error response": `{code, message, data: {type}}`), e.g. code 40201 `SDP_PARSE_ERROR`
 * "Invalid SDP", or 40101 `MEDIA_OBJECT_NOT_FOUND`.
 */
export class KurentoError extends MediaError {
  /** KMS's numeric error code (kms-core's `KurentoException` codes, e.g. 40201). */
  readonly code: number;
  /** KMS's error type (`error.data.type`), e.g. `SDP_PARSE_ERROR`; undefined when absent. */
  readonly type: string | undefined;

  /**
   * @param method - the request that failed, e.g. `invoke processOffer`.
   * @param code - KMS's `error.code`.
   * @param message - KMS's `error.message`.
   * @param type - KMS's `error.data.type`, if any.
   */
  constructor(method: string, code: number, message: string, type?: string) {
    super(`Kurento Media Server refused ${method}: ${message} (${type ?? 'error'} ${code})`);
    this.name = 'KurentoError';
    this.code = code;
    this.type = type;
  }
}

/**
 * The connection to a Kurento Media Server is down (closed, never opened, or no
 * response within the request timeout).
 */
export class KurentoConnectionError extends MediaError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'KurentoConnectionError';
  }
}
