import { describe, expect, it } from 'vitest';
import { htmlToText } from '../../infra/emailText.js';

describe("an email's plain-text part, from its HTML", () => {
  it('puts blocks on lines of their own, writes links out, numbers lists and marks changes', () => {
    const html = `<!doctype html><html lang="zh-CN"><head><title>主题</title><style>p{}</style></head><body>
<h2>征求意见卡 <span lang="en">Request for comments</span></h2>
<p>财政局：</p>
<p>请于 <strong>2022-02-17 18:00</strong> 前回复。</p>
<table role="presentation"><tr><td><a href="https://x.example/r/abc">立即回复 <span lang="en">Reply now</span></a></td></tr></table>
<p>或复制链接：<br><a href="https://x.example/r/abc">https://x.example/r/abc</a></p>
<ol><li>第一条 &amp; “引号”</li><li><p>第二条</p><p>续</p></li></ol>
<ul><li>甲</li></ul>
<table border="1"><tr><th>单位</th><th>结果</th></tr><tr><td>财政局</td><td>无意见</td></tr></table>
<p>联系 <a href="tel:03521234567">0352-1234567</a> · <a href="mailto:c@example.org">c@example.org</a></p>
<p><del>删去</del><ins>新增</ins>不变</p>
<hr><p>页脚</p></body></html>`;
    expect(htmlToText(html)).toBe(
      [
        '征求意见卡 Request for comments',
        '',
        '财政局：',
        '',
        '请于 2022-02-17 18:00 前回复。',
        '',
        '立即回复 Reply now: https://x.example/r/abc',
        '',
        '或复制链接：',
        'https://x.example/r/abc',
        '',
        ' 1. 第一条 & “引号”',
        '',
        ' 2. 第二条',
        '',
        '    续',
        '',
        '- 甲',
        '',
        '单位 | 结果',
        '财政局 | 无意见',
        '',
        '联系 0352-1234567 · c@example.org',
        '',
        '[-删去-]{+新增+}不变',
        '',
        '----------',
        '',
        '页脚',
        '',
      ].join('\n'),
    );
  });
});
