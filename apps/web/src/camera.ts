// Camera scanning with zxing-wasm (ZXing-C++ compiled to WebAssembly), loaded only when
// the pharmacist presses the camera button. The .wasm file comes from this service
// (/assets/zxing_reader.wasm), never from a CDN: the page works with no network access
// beyond the service, and its Content-Security-Policy allows nothing else.
import { prepareZXingModule, readBarcodes, type ReaderOptions } from 'zxing-wasm/reader';

prepareZXingModule({
  overrides: {
    locateFile: (path: string, prefix: string) =>
      path.endsWith('.wasm')
        ? new URL('/assets/zxing_reader.wasm', location.href).href
        : prefix + path,
  },
});

const OPTIONS: ReaderOptions = {
  // GS1 DataMatrix is what EU packs carry; the others are seen on other markets' packs.
  formats: ['DataMatrix', 'QRCode', 'DataBar', 'DataBarExp', 'Code128'],
  tryHarder: true,
  maxNumberOfSymbols: 1,
  // GS1 data comes back as a bracketed element string, `(01)…(21)…`, one of the forms
  // the server reads; a Digital Link QR code comes back as its URI.
  textMode: 'HRI',
};

export interface CameraScan {
  stop(): void;
}

/**
 * Starts the back camera in `video`, reads frames until a code is found, then stops and
 * calls `found` with the code's text.
 */
export async function startCamera(
  video: HTMLVideoElement,
  found: (text: string) => void,
  failed: (message: string) => void,
): Promise<CameraScan> {
  const stream = await navigator.mediaDevices.getUserMedia({
    video: { facingMode: 'environment' },
    audio: false,
  });
  video.srcObject = stream;
  await video.play();
  const canvas = document.createElement('canvas');
  const context = canvas.getContext('2d', { willReadFrequently: true });
  let stopped = false;
  const stop = () => {
    stopped = true;
    for (const track of stream.getTracks()) track.stop();
    video.srcObject = null;
  };
  const tick = async () => {
    if (stopped) return;
    if (context && video.videoWidth > 0) {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      context.drawImage(video, 0, 0);
      try {
        const [result] = await readBarcodes(
          context.getImageData(0, 0, canvas.width, canvas.height),
          OPTIONS,
        );
        if (result?.isValid && !stopped) {
          stop();
          found(result.text);
          return;
        }
      } catch (err) {
        stop();
        failed(`The barcode reader could not start: ${String(err)}`);
        return;
      }
    }
    setTimeout(() => void tick(), 150);
  };
  void tick();
  return { stop };
}
