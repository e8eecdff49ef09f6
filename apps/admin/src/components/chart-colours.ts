/** Theme colours for chart series, in order (they follow the light or dark scheme). */
const SERIES = ['blue.6', 'yellow.7', 'violet.6', 'teal.6', 'orange.6', 'cyan.6', 'red.6', 'gray.6'];

export const seriesColour = (index: number) => SERIES[index % SERIES.length];
