/**
 * The daemon and the command line, wired from the folders below: createApp() builds every component
 * from the configuration (the device and alert sides in their own files), runCli() picks the command,
 * replay runs the pipeline over a file.
 * The only file other folders import.
 */
export { runCli } from "./cli.ts";
export { type App, createApp } from "./app.ts";
