/** SVG plots: pure functions from numbers to standalone SVG strings, and the model-level convenience. */
export {
  type NamedPlot,
  observedFittedSeries,
  plotBootstrapLrtResult,
  plotLrtBootstrap,
  plotModel,
} from "./model-plots.js";
export {
  cooksDistanceSvg,
  type GroupSeries,
  type LrtBootstrapInput,
  lrtBootstrapSvg,
  observedFittedSvg,
  qqPanelsSvg,
  qqSvg,
  residualsVsFittedSvg,
} from "./plots.js";
export { extent, formatNumber, linearScale, niceStep } from "./scale.js";
export { escapeXml } from "./svg.js";
