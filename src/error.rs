//! The library's errors. Each names the file and, where there is one, the sheet and cell;
//! messages are in Chinese for finance staff.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum Error {
    #[error("无法打开 {file}：{reason}")]
    Open { file: String, reason: String },
    #[error("{file} 不是绩效目标申报表：{reason}")]
    NotAForm { file: String, reason: String },
    #[error("{file} 工作表「{sheet}」无法读取：{reason}")]
    Sheet {
        file: String,
        sheet: String,
        reason: String,
    },
    #[error("{file} 超出读取上限：{reason}")]
    Limit { file: String, reason: String },
    #[error("无法写入 {file}：{reason}")]
    Write { file: String, reason: String },
    #[error("无法写入 {file}：{reason}")]
    Output { file: String, reason: String },
    #[error("输出文件 {file} 与输入文件相同：jixiao 不会覆盖您的原文件，请换一个输出文件名")]
    OutputIsInput { file: String },
    #[error("输出文件 {file} 在要汇总的文件夹里（多半是上次汇总的结果），会被当作一份申报表读入：请把汇总工作簿写到该文件夹之外，或先把它移走")]
    OutputInInputFolder { file: String },
    #[error("输出文件 {file} 已存在：如需替换请加 --force")]
    OutputExists { file: String },
    #[error("{file} 不是有效的模型 JSON：{reason}")]
    Json { file: String, reason: String },
}

impl Error {
    /// The file the error is about.
    pub fn file(&self) -> &str {
        match self {
            Error::Open { file, .. }
            | Error::NotAForm { file, .. }
            | Error::Sheet { file, .. }
            | Error::Limit { file, .. }
            | Error::Write { file, .. }
            | Error::Output { file, .. }
            | Error::OutputIsInput { file }
            | Error::OutputInInputFolder { file }
            | Error::OutputExists { file }
            | Error::Json { file, .. } => file,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
