// A minimal host for the pre-join screen: what <kurento-room> does with MediaPreview and
// renderPrejoin, and nothing else. Each submit records the preview's choice.
import { LitElement } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { styles } from '../../packages/sdk/src/element/kurento-room.styles.js';
import { MediaPreview, type PreviewChoice } from '../../packages/sdk/src/element/media-preview.js';
import { prejoinStyles, renderPrejoin } from '../../packages/sdk/src/element/prejoin-view.js';

@customElement('prejoin-host')
export class PrejoinHost extends LitElement {
  static override styles = [styles, prejoinStyles];

  /** The element's `media` option. */
  media?: MediaStreamConstraints | false;
  readonly preview = new MediaPreview(this, () => this.media);
  @state() room = '';
  @state() name = '';
  @state() busy = false;
  @state() error = '';
  /** The choice at each submit. */
  readonly submitted: PreviewChoice[] = [];

  protected override render() {
    return renderPrejoin(
      this.preview,
      { room: this.room, name: this.name, busy: this.busy, error: this.error },
      {
        roomInput: (value) => (this.room = value),
        nameInput: (value) => (this.name = value),
        submit: () => this.submitted.push(this.preview.choice()),
      },
    );
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'prejoin-host': PrejoinHost;
  }
}
