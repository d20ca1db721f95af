// esbuild bundles an imported stylesheet into the entry's .css file (explorer.css).
declare module '*.css';
