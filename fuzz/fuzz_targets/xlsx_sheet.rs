//! Arbitrary XML as project 1's sheet of the sample workbook, zipped with correct checksums:
//! reaches calamine's xlsx cell reader and jixiao's form reader and rules, which the
//! `workbook` target rarely gets past the zip's CRC to. Same property as `workbook`.
#![no_main]

use std::io::{Cursor, Read, Write};

const SAMPLE: &[u8] = include_bytes!("../../samples/songjiang-kcb-2024.xlsx");
const SHEET: &str = "xl/worksheets/sheet2.xml";

fn with_sheet(xml: &[u8]) -> Vec<u8> {
    let mut src = zip::ZipArchive::new(Cursor::new(SAMPLE)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for i in 0..src.len() {
        let mut f = src.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        out.start_file(name.as_str(), stored).unwrap();
        out.write_all(if name == SHEET { xml } else { &data })
            .unwrap();
    }
    out.finish().unwrap().into_inner()
}

libfuzzer_sys::fuzz_target!(
    init: {
        let abort_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !jixiao::read::panic_is_caught() {
                abort_hook(info);
            }
        }));
    },
    |xml: &[u8]| jixiao::fuzzing::workbook(&with_sheet(xml))
);
