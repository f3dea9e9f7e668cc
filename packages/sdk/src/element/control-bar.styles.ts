import { css } from 'lit';

/** Styles of the control bar and device menu (`control-bar.ts`, `device-menu.ts`); the custom properties are documented on the element. */
export const controlStyles = css`
  [part='controls'] {
    display: flex;
    flex-wrap: wrap;
    justify-content: center;
    align-items: center;
    gap: var(--kurento-room-gap);
    margin-block-start: var(--kurento-room-gap);
  }

  [part~='control'] {
    display: inline-flex;
    align-items: center;
    gap: 0.375rem;
    min-height: 2.5rem;
    padding: 0.375rem 0.875rem;
    border: 0;
    border-radius: var(--kurento-room-control-radius);
    background: var(--kurento-room-control-background);
    color: var(--kurento-room-control-text);
    font: inherit;
    font-size: 0.875rem;
    cursor: pointer;
  }

  [part~='control'][aria-pressed='true'] {
    background: var(--kurento-room-control-active);
  }

  [part~='leave-button'] {
    background: var(--kurento-room-error);
  }

  [part~='control']:disabled {
    opacity: 0.5;
    cursor: not-allowed;
  }

  [part~='control'] [part='icon'] {
    width: 1.25rem;
    height: 1.25rem;
    flex: none;
  }

  /* Narrow elements (phones): icons only; the text stays as the accessible name. */
  @container (max-width: 40rem) {
    [part~='control'] {
      padding: 0.375rem;
    }

    [part='control-label'] {
      font-size: 0;
    }
  }

  [part='device-anchor'] {
    position: relative;
  }

  [part='device-menu'] {
    position: absolute;
    inset-block-end: calc(100% + 0.5rem);
    inset-inline-start: 50%;
    transform: translateX(-50%);
    z-index: 3;
    display: grid;
    gap: 0.5rem;
    width: max-content;
    max-width: min(20rem, 90cqi);
    padding: 0.75rem;
    border-radius: 0.5rem;
    background: var(--kurento-room-menu-background);
    color: var(--kurento-room-menu-text);
    box-shadow: 0 4px 16px rgb(0 0 0 / 0.3);
  }

  [part='device-label'] {
    display: grid;
    gap: 0.25rem;
    font-size: 0.875rem;
  }

  [part='camera-select'],
  [part='microphone-select'] {
    max-width: 100%;
    font: inherit;
  }
`;
