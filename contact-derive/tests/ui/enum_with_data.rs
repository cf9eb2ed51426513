use resource_model::ResourceEnum;

#[derive(serde::Serialize, ResourceEnum)]
pub enum Shape {
    Circle,
    Square(u32),
}

fn main() {}
