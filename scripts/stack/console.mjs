// What `npm start` prints: coloured when stdout is a terminal (and NO_COLOR is unset), and how it
// gives up: one red line naming what to fix, exit 1.
const useColor = process.stdout.isTTY && !process.env.NO_COLOR;

export const paint = (code, text) => (useColor ? `\x1b[${code}m${text}\x1b[0m` : text);

export function fail(message) {
  console.error(`\n${paint('31', 'npm start:')} ${message}\n`);
  process.exit(1);
}
