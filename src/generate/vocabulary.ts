/**
 * Fixed vocabularies of the synthetic portfolio: regions, cities, branches, RMs, industries and
 * the parts names are built from.
 *
 * Contract: everything here is a constant of the code version, independent of the generator's
 * seed, row count and chunk. That is what lets every chunk carry identical Arrow dictionaries for
 * its category columns (region, branch, rm, industry, segment, ...), so chunks made by different
 * workers concatenate without re-encoding. Lists are built once, at module load, in a fixed order.
 *
 * Nesting contract: a branch belongs to exactly one city and region (BRANCH_REGION), and an RM to
 * exactly one branch (RM_BRANCH); clients draw a branch and inherit its region.
 */
import { Rng, weightTable, type WeightTable } from './random.js';
import { Utf8ColumnBuilder, encodePieces } from './utf8-column.js';

/** Regions (large economic areas of mainland China) with their cities and branch counts per city. */
const REGION_CITIES: readonly (readonly [region: string, cities: readonly (readonly [city: string, branches: number])[]])[] = [
  ['华东', [['上海', 14], ['杭州', 8], ['南京', 7], ['苏州', 7], ['宁波', 5], ['合肥', 4], ['福州', 4], ['济南', 4], ['青岛', 4], ['厦门', 3]]],
  ['华北', [['北京', 16], ['天津', 8], ['石家庄', 4], ['太原', 3], ['呼和浩特', 3]]],
  ['华南', [['深圳', 12], ['广州', 11], ['东莞', 4], ['佛山', 4], ['南宁', 3], ['海口', 2]]],
  ['华中', [['武汉', 9], ['长沙', 6], ['郑州', 6], ['南昌', 3]]],
  ['西南', [['成都', 9], ['重庆', 8], ['昆明', 3], ['贵阳', 2]]],
  ['西北', [['西安', 6], ['兰州', 2], ['乌鲁木齐', 2], ['银川', 2]]],
  ['东北', [['沈阳', 4], ['大连', 3], ['哈尔滨', 3], ['长春', 2]]],
];

/** Branch name endings; a city's first branch is its main office (营业部). */
const BRANCH_SUFFIXES = [
  '营业部', '高新区支行', '开发区支行', '人民路支行', '解放路支行', '新区支行', '城东支行', '城西支行',
  '城南支行', '城北支行', '滨江支行', '科技园支行', '中山路支行', '建设路支行', '火车站支行', '大学城支行',
] as const;

export const RMS_PER_BRANCH = 10;

export const REGIONS: readonly string[] = REGION_CITIES.map(([r]) => r);
export const CITIES: readonly string[] = REGION_CITIES.flatMap(([, cs]) => cs.map(([c]) => c));
export const BRANCHES: readonly string[] = REGION_CITIES.flatMap(([, cs]) =>
  cs.flatMap(([city, n]) => BRANCH_SUFFIXES.slice(0, n).map((s) => city + s)),
);
/** Branch index -> region index. */
export const BRANCH_REGION: Int32Array = Int32Array.from(
  REGION_CITIES.flatMap(([, cs], r) => cs.flatMap(([, n]) => new Array<number>(n).fill(r))),
);
/** Branch index -> city index (into CITIES). */
export const BRANCH_CITY: Int32Array = (() => {
  const out: number[] = [];
  let c = 0;
  for (const [, cs] of REGION_CITIES) for (const [, n] of cs) { for (let i = 0; i < n; i++) out.push(c); c++; }
  return Int32Array.from(out);
})();

/** Surnames in rough order of frequency, with their pinyin for romanised names. */
const SURNAMES: readonly (readonly [string, string])[] = [
  ['王', 'Wang'], ['李', 'Li'], ['张', 'Zhang'], ['刘', 'Liu'], ['陈', 'Chen'], ['杨', 'Yang'], ['黄', 'Huang'], ['赵', 'Zhao'],
  ['吴', 'Wu'], ['周', 'Zhou'], ['徐', 'Xu'], ['孙', 'Sun'], ['马', 'Ma'], ['朱', 'Zhu'], ['胡', 'Hu'], ['郭', 'Guo'],
  ['何', 'He'], ['林', 'Lin'], ['高', 'Gao'], ['罗', 'Luo'], ['郑', 'Zheng'], ['梁', 'Liang'], ['谢', 'Xie'], ['宋', 'Song'],
  ['唐', 'Tang'], ['许', 'Xu'], ['韩', 'Han'], ['冯', 'Feng'], ['邓', 'Deng'], ['曹', 'Cao'], ['彭', 'Peng'], ['曾', 'Zeng'],
  ['肖', 'Xiao'], ['田', 'Tian'], ['董', 'Dong'], ['袁', 'Yuan'], ['潘', 'Pan'], ['于', 'Yu'], ['蒋', 'Jiang'], ['蔡', 'Cai'],
  ['余', 'Yu'], ['杜', 'Du'], ['叶', 'Ye'], ['程', 'Cheng'], ['苏', 'Su'], ['魏', 'Wei'], ['吕', 'Lyu'], ['丁', 'Ding'],
  ['任', 'Ren'], ['沈', 'Shen'], ['姚', 'Yao'], ['卢', 'Lu'], ['姜', 'Jiang'], ['崔', 'Cui'], ['钟', 'Zhong'], ['谭', 'Tan'],
  ['陆', 'Lu'], ['汪', 'Wang'], ['范', 'Fan'], ['金', 'Jin'], ['石', 'Shi'], ['廖', 'Liao'], ['贾', 'Jia'], ['夏', 'Xia'],
  ['韦', 'Wei'], ['方', 'Fang'], ['白', 'Bai'], ['邹', 'Zou'], ['孟', 'Meng'], ['熊', 'Xiong'], ['秦', 'Qin'], ['邱', 'Qiu'],
  ['江', 'Jiang'], ['尹', 'Yin'], ['薛', 'Xue'], ['段', 'Duan'], ['雷', 'Lei'], ['侯', 'Hou'], ['龙', 'Long'], ['史', 'Shi'],
  ['陶', 'Tao'], ['黎', 'Li'], ['贺', 'He'], ['顾', 'Gu'], ['毛', 'Mao'], ['郝', 'Hao'], ['龚', 'Gong'], ['邵', 'Shao'],
  ['万', 'Wan'], ['钱', 'Qian'], ['严', 'Yan'], ['武', 'Wu'], ['戴', 'Dai'], ['莫', 'Mo'], ['孔', 'Kong'], ['欧阳', 'Ouyang'],
];

/** Characters of given names, with pinyin. */
const GIVEN_CHARS: readonly (readonly [string, string])[] = [
  ['伟', 'wei'], ['芳', 'fang'], ['娜', 'na'], ['敏', 'min'], ['静', 'jing'], ['丽', 'li'], ['强', 'qiang'], ['磊', 'lei'],
  ['军', 'jun'], ['洋', 'yang'], ['勇', 'yong'], ['艳', 'yan'], ['杰', 'jie'], ['娟', 'juan'], ['涛', 'tao'], ['明', 'ming'],
  ['超', 'chao'], ['秀', 'xiu'], ['霞', 'xia'], ['平', 'ping'], ['刚', 'gang'], ['英', 'ying'], ['华', 'hua'], ['玉', 'yu'],
  ['兰', 'lan'], ['文', 'wen'], ['建', 'jian'], ['国', 'guo'], ['鹏', 'peng'], ['辉', 'hui'], ['晓', 'xiao'], ['红', 'hong'],
  ['海', 'hai'], ['波', 'bo'], ['宇', 'yu'], ['浩', 'hao'], ['婷', 'ting'], ['欣', 'xin'], ['雪', 'xue'], ['颖', 'ying'],
  ['琳', 'lin'], ['佳', 'jia'], ['子', 'zi'], ['梓', 'zi'], ['涵', 'han'], ['轩', 'xuan'], ['思', 'si'], ['雨', 'yu'],
  ['嘉', 'jia'], ['一', 'yi'], ['诺', 'nuo'], ['睿', 'rui'], ['博', 'bo'], ['晨', 'chen'], ['阳', 'yang'], ['昊', 'hao'],
  ['然', 'ran'], ['泽', 'ze'], ['俊', 'jun'], ['凯', 'kai'], ['峰', 'feng'], ['斌', 'bin'], ['慧', 'hui'], ['琴', 'qin'],
  ['云', 'yun'], ['飞', 'fei'], ['志', 'zhi'], ['成', 'cheng'], ['春', 'chun'], ['德', 'de'], ['立', 'li'], ['新', 'xin'],
];

const ENGLISH_GIVEN = [
  'David', 'Grace', 'Kevin', 'Amy', 'Jason', 'Vivian', 'Michael', 'Cindy', 'Eric', 'Helen', 'Tony', 'Jenny', 'Peter',
  'Lily', 'Frank', 'Sophia', 'Andy', 'Coco', 'William', 'Iris', 'Leo', 'Annie', 'Jack', 'Emily', 'Ryan', 'Stella',
  'Vincent', 'Wendy', 'Alex', 'Joyce', 'Henry', 'Fiona',
];

/** Industries of corporate clients (GB/T 4754 sections, shortened), with name words and weights. */
export const INDUSTRY_DEFS: readonly { name: string; weight: number; words: readonly string[]; institutional: boolean }[] = [
  { name: '制造业', weight: 0.22, words: ['机械', '电子', '精密制造', '新材料', '化工', '电气', '汽车零部件'], institutional: false },
  { name: '批发和零售业', weight: 0.19, words: ['贸易', '商贸', '商业', '进出口', '百货'], institutional: false },
  { name: '信息技术服务业', weight: 0.1, words: ['科技', '信息技术', '软件', '网络科技', '数据科技'], institutional: false },
  { name: '建筑业', weight: 0.08, words: ['建设', '建筑工程', '装饰工程', '路桥工程'], institutional: false },
  { name: '房地产业', weight: 0.05, words: ['置业', '房地产开发', '物业服务'], institutional: false },
  { name: '交通运输和物流业', weight: 0.07, words: ['物流', '运输', '供应链管理', '货运代理'], institutional: false },
  { name: '住宿和餐饮业', weight: 0.05, words: ['餐饮管理', '酒店管理', '食品'], institutional: false },
  { name: '农林牧渔业', weight: 0.04, words: ['农业', '生态农业', '牧业', '水产'], institutional: false },
  { name: '卫生和医药', weight: 0.04, words: ['医药', '医疗器械', '健康科技', '生物科技'], institutional: false },
  { name: '租赁和商务服务业', weight: 0.06, words: ['咨询', '商务服务', '企业管理', '人力资源'], institutional: false },
  { name: '教育', weight: 0.02, words: ['教育科技', '文化传播', '培训'], institutional: false },
  { name: '金融业', weight: 0.03, words: ['投资', '资产管理', '融资租赁', '保险代理'], institutional: true },
  { name: '公用事业', weight: 0.02, words: ['水务', '能源', '燃气', '城市建设投资', '公共交通'], institutional: true },
];
export const INDUSTRIES: readonly string[] = INDUSTRY_DEFS.map((d) => d.name);

/** Two-character brand names of companies are drawn from these characters. */
const BRAND_CHARS = '华信达恒泰鑫瑞宏盛源通安元中海天金辰嘉博新锦隆德远航立明凯丰汇宇成兴永富佳和康融启正';
const LEGAL_FORMS = ['有限公司', '股份有限公司', '集团有限公司'];

/** The bank's segment labels (category vocabulary). */
export const SEGMENTS = ['Personal', 'Premier', 'Private Banking', 'SME', 'Corporate', 'Institutional'] as const;
const iSeg = (s: (typeof SEGMENTS)[number]) => SEGMENTS.indexOf(s);
export const SEG_PERSONAL = iSeg('Personal'), SEG_PREMIER = iSeg('Premier'), SEG_PRIVATE = iSeg('Private Banking');
export const SEG_SME = iSeg('SME'), SEG_CORPORATE = iSeg('Corporate'), SEG_INSTITUTIONAL = iSeg('Institutional');

// ---------------------------------------------------------------------------------------------
// Draw tables (alias tables of weights) and names. A fixed, seed-independent RNG gives branch sizes and
// RM names, so they are part of the vocabulary, not of a dataset.

const vocabRng = new Rng(0x636c6e73 /* "clns" */, 0x766f6361 /* "voca" */, 0);

/** Branch popularity: main offices draw more clients; others vary +-40%. */
export const BRANCH_WEIGHTS: WeightTable = weightTable(
  BRANCHES.map((b) => (b.endsWith('营业部') ? 1.8 : 0.6 + 0.8 * vocabRng.uniform())),
);
export const SURNAME_WEIGHTS: WeightTable = weightTable(SURNAMES.map((_, i) => 1 / (i + 4)));
export const INDUSTRY_WEIGHTS: WeightTable = weightTable(INDUSTRY_DEFS.map((d) => d.weight));

/** RM index -> branch index; RM i works in branch floor(i / RMS_PER_BRANCH). */
export const RM_BRANCH: Int32Array = Int32Array.from({ length: BRANCHES.length * RMS_PER_BRANCH }, (_, i) => Math.floor(i / RMS_PER_BRANCH));
/** RM labels "RM0001 王芳": a staff number (unique) and a name. */
export const RMS: readonly string[] = Array.from(RM_BRANCH, (_, i) => {
  const s = SURNAMES[vocabRng.weighted(SURNAME_WEIGHTS)][0];
  const g = GIVEN_CHARS[vocabRng.int(GIVEN_CHARS.length)][0] + (vocabRng.chance(0.6) ? GIVEN_CHARS[vocabRng.int(GIVEN_CHARS.length)][0] : '');
  return `RM${String(i + 1).padStart(4, '0')} ${s}${g}`;
});

/** Within a branch, some RMs carry bigger books than others. */
export const RM_IN_BRANCH_WEIGHTS: WeightTable = weightTable(Array.from({ length: RMS_PER_BRANCH }, (_, i) => 1.6 - 0.1 * i));

// Name parts, UTF-8 encoded once: rows copy bytes instead of building strings (see utf8-column.ts).
const SURNAME_ZH = encodePieces(SURNAMES.map((s) => s[0]));
const SURNAME_PY = encodePieces(SURNAMES.map((s) => s[1]));
const GIVEN_ZH = encodePieces(GIVEN_CHARS.map((g) => g[0]));
const GIVEN_PY = encodePieces(GIVEN_CHARS.map((g) => g[1]));
const GIVEN_PY_CAP = encodePieces(GIVEN_CHARS.map((g) => g[1][0].toUpperCase() + g[1].slice(1)));
const ENGLISH = encodePieces(ENGLISH_GIVEN);
const CITY_BYTES = encodePieces(CITIES);
const BRAND_BYTES = encodePieces([...BRAND_CHARS]);
const INDUSTRY_WORDS = INDUSTRY_DEFS.map((d) => encodePieces(d.words));
const LEGAL_FORM_BYTES = encodePieces(LEGAL_FORMS);
const SPACE = 0x20;

/**
 * Appends a retail client's name to `out`: mostly Chinese (surname + one or two given-name
 * characters); about 10% romanised, half pinyin ("Zhang Xiaoming"), half with an English given
 * name ("Grace Chen").
 */
export function appendPersonName(rng: Rng, out: Utf8ColumnBuilder): void {
  const s = rng.weighted(SURNAME_WEIGHTS);
  const r = rng.uniform();
  const g1 = rng.int(GIVEN_ZH.length);
  const two = rng.uniform() < 0.7;
  const g2 = two ? rng.int(GIVEN_ZH.length) : 0;
  if (r < 0.9) {
    out.append(SURNAME_ZH[s]);
    out.append(GIVEN_ZH[g1]);
    if (two) out.append(GIVEN_ZH[g2]);
  } else if (r < 0.95) {
    out.append(SURNAME_PY[s]);
    out.appendAscii(SPACE);
    out.append(GIVEN_PY_CAP[g1]);
    if (two) out.append(GIVEN_PY[g2]);
  } else {
    out.append(ENGLISH[g1 % ENGLISH.length]);
    out.appendAscii(SPACE);
    out.append(SURNAME_PY[s]);
  }
}

/**
 * Appends a company name such as "杭州华信科技有限公司" to `out`: optional city of the home branch,
 * two distinct brand characters, a word of the industry, a legal form (groups and joint-stock
 * companies are likelier the larger the company).
 */
export function appendCompanyName(rng: Rng, out: Utf8ColumnBuilder, industry: number, city: number, sizeIndex: number): void {
  if (rng.uniform() < 0.5) out.append(CITY_BYTES[city]);
  const a = rng.int(BRAND_BYTES.length);
  let b = rng.int(BRAND_BYTES.length - 1);
  if (b >= a) b++;
  out.append(BRAND_BYTES[a]);
  out.append(BRAND_BYTES[b]);
  const words = INDUSTRY_WORDS[industry];
  out.append(words[rng.int(words.length)]);
  const f = rng.uniform();
  out.append(LEGAL_FORM_BYTES[f < 0.08 * sizeIndex ? 2 : f < 0.1 + 0.1 * sizeIndex ? 1 : 0]);
}
