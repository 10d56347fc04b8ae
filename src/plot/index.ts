/** SVG plots: pure functions from numbers to standalone SVG strings, and the model-level convenience. */
export {
  type NamedPlot,
  observedFittedSeries,
  plotBootstrapLrtResult,
  plotLrtBootstrap,
  plotModel,
} from "./model-plots.js";
// Every plot function with its input type (the inputs are part of using them).
export * from "./plots.js";
export { extent, formatNumber, linearScale, niceStep } from "./scale.js";
export { escapeXml } from "./svg.js";
