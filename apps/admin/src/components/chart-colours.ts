/** Theme colours for chart series, in order (they follow the light or dark scheme). */
const SERIES = ['blue.6', 'yellow.7', 'violet.6', 'teal.6', 'orange.6', 'cyan.6', 'red.6', 'gray.6'];

export const seriesColour = (index: number) => SERIES[index % SERIES.length];

/** How a share of a server's resource (CPU, memory, disk) is coloured: red from 90 %, orange from 75 %. */
export const usageColour = (percent: number | null) =>
  percent === null ? 'gray' : percent >= 90 ? 'red' : percent >= 75 ? 'orange' : 'teal';
