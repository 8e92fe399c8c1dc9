"""Decision documents (行政许可决定书), their 送达回证, and the 否决备案 register of refusals."""
